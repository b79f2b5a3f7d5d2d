"""Pack image folders in the ImageNet layout into LMDB, one database per
split, for mmengine's ``LmdbBackend`` (DenseNAS packs ImageNet this way
for IO speed):

    python tools/dataset_converters/images_to_lmdb.py DATA_ROOT OUT_DIR \
        [--splits train val]

``DATA_ROOT/SPLIT/CLASS/IMAGE`` becomes

    OUT_DIR/SPLIT.lmdb    key ``CLASS/IMAGE`` -> the image file's bytes
    OUT_DIR/SPLIT.txt     one ``CLASS/IMAGE label`` line per image
    OUT_DIR/classes.txt   the class folders, sorted (label = line number)

with the images and labels mmcls' CustomDataset finds in the folders
(sorted class folders, files sorted within each, its image extensions;
the ImageFolder dataset's checks).
The bytes are stored as they are, so LoadImageFromFile decodes them as it
decodes the files. The configs ``configs/_base_/datasets/*_lmdb.py`` read
the result: the list file as ``ann_file`` (LmdbBackend cannot list a
folder) and ``LoadImageFromFile(backend_args=dict(backend='lmdb',
db_path=...))``. OUT_DIR is written under a temporary name and renamed
when complete; an existing OUT_DIR is refused.
"""
import argparse
import importlib.util
import os.path as osp
import sys
from typing import Dict, List, Tuple

from mmnas.utils import Progress, UserError, atomic_dir, cli_main, set_quiet

CLASSES_FILE = 'classes.txt'
# images per write transaction (bounds the memory of a transaction)
BATCH = 1000
PAGE = 4096
# liblmdb's MDB_MAXKEYSIZE as py-lmdb builds it (Environment.max_key_size)
MAX_KEY = 511


def find_split(data_root: str,
               split: str) -> Tuple[List[str], List[Tuple[str, int]]]:
    """``(classes, [(CLASS/IMAGE, label), ...])`` of one split, as the
    ImageFolder dataset lists them; bad layouts are UserErrors."""
    from mmnas.datasets import ImageFolder

    folder = osp.join(data_root, split)
    if not osp.isdir(folder):
        raise UserError(
            f'{folder!r} is not a folder. images_to_lmdb.py expects '
            'DATA_ROOT/SPLIT/CLASS/IMAGE; name the split folders of '
            'DATA_ROOT with --splits.')
    listing = ImageFolder(
        data_root=data_root, data_prefix=split, lazy_init=True)
    samples = listing._find_samples()
    return list(listing.CLASSES), samples


def check_keys(folder: str, samples: List[Tuple[str, int]]) -> None:
    """Keys are looked up ASCII-encoded by LmdbBackend and read back from a
    line of the list file: refuse those that cannot make the round trip."""
    bad = [
        path for path, _ in samples
        if not path.isascii() or path != path.strip() or len(path) > MAX_KEY
        or any(c in path for c in '\n\r')
    ]
    if bad:
        raise UserError(
            f'{len(bad)} image path(s) in {folder!r} cannot be LMDB keys '
            f'(non-ASCII, leading/trailing whitespace, a line break, or '
            f'longer than {MAX_KEY} bytes), e.g. {bad[0]!r}. Rename them.')


def map_size(folder: str, samples: List[Tuple[str, int]]) -> int:
    """Bytes to reserve for a database (LMDB cannot grow past it): the
    files, their keys and a page of overhead each, plus half again."""
    need = sum(
        osp.getsize(osp.join(folder, path)) + len(path) + PAGE
        for path, _ in samples)
    return int(need * 1.5) + 64 * PAGE


def write_lmdb(db_path: str, folder: str, samples: List[Tuple[str, int]],
               desc: str) -> int:
    """Store every image's bytes under its key; return the entries."""
    import lmdb

    env = lmdb.open(
        db_path,
        map_size=map_size(folder, samples),
        readahead=False,
        meminit=False)
    try:
        keys = sorted(path for path, _ in samples)
        with Progress(len(keys), desc) as bar:
            for start in range(0, len(keys), BATCH):
                with env.begin(write=True) as txn:
                    for key in keys[start:start + BATCH]:
                        with open(osp.join(folder, key), 'rb') as f:
                            txn.put(key.encode('ascii'), f.read(), append=True)
                        bar.update()
        env.sync(True)
        return env.stat()['entries']
    finally:
        env.close()


def convert(data_root: str, out: str, splits: List[str]) -> Dict[str, int]:
    """Write ``out`` (see the module docstring); return images per split."""
    if importlib.util.find_spec('lmdb') is None:
        raise UserError('the lmdb package is not installed: pip install '
                        'lmdb (see requirements/optional.txt).')
    if len(set(splits)) != len(splits):
        raise UserError(f'--splits names a split twice: {splits}.')
    if osp.lexists(out):
        raise UserError(f'{out!r} already exists. Pass a new OUT_DIR or '
                        'remove the old one.')
    found = {split: find_split(data_root, split) for split in splits}
    classes = found[splits[0]][0]
    for split, (other, _) in found.items():
        if other != classes:
            raise UserError(
                f'the splits have different class folders: {splits[0]!r} '
                f'{len(classes)}, {split!r} {len(other)} (only in one: '
                f'{sorted(set(classes) ^ set(other))[:5]}). Every split '
                'needs the same classes, or their labels would differ.')
    for split, (_, samples) in found.items():
        check_keys(osp.join(data_root, split), samples)
    with atomic_dir(out) as tmp:
        with open(osp.join(tmp, CLASSES_FILE), 'w') as f:
            f.writelines(f'{c}\n' for c in classes)
        counts = {}
        for split, (_, samples) in found.items():
            folder = osp.join(data_root, split)
            n = write_lmdb(
                osp.join(tmp, f'{split}.lmdb'), folder, samples,
                f'{split}: packing {len(samples)} images')
            if n != len(samples):
                raise RuntimeError(f'{split}.lmdb holds {n} entries, '
                                   f'expected {len(samples)}')
            with open(osp.join(tmp, f'{split}.txt'), 'w') as f:
                f.writelines(f'{path} {label}\n' for path, label in samples)
            counts[split] = n
    return counts


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root', help='folder holding SPLIT/CLASS/IMAGE')
    parser.add_argument('out', help='output folder (must not exist)')
    parser.add_argument(
        '--splits',
        nargs='+',
        default=['train', 'val'],
        help='split folders to pack (default: train val)')
    parser.add_argument(
        '--quiet',
        action='store_true',
        help='print only the final line (no progress)')
    args = parser.parse_args(argv)
    if args.quiet:
        set_quiet()
    counts = convert(args.data_root, args.out, args.splits)
    print(f'wrote {args.out}: ' + ', '.join(f'{split}.lmdb {n} images'
                                            for split, n in counts.items()) +
          f' + {", ".join(f"{s}.txt" for s in counts)}, {CLASSES_FILE}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
