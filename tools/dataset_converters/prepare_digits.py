"""Write scikit-learn's handwritten digits (1,797 real 8x8 scans, shipped
inside the scikit-learn wheel) as PNG files in the ImageNet folder layout:

    OUT/train/<digit>/<index>.png   (1,438 images)
    OUT/val/<digit>/<index>.png     (359 images, a fixed stratified 20 %)

so that mmcls' CustomDataset + LoadImageFromFile read them as they would
read ImageNet. Idempotent: an existing complete copy is left as it is.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import tempfile

import numpy as np

VAL_FRACTION = 0.2
SEED = 0
MANIFEST = 'manifest.json'


def split_indices(labels: np.ndarray):
    """Fixed stratified split: per class, a seeded permutation, the first
    20 % to val."""
    rng = np.random.RandomState(SEED)
    train, val = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_val = int(round(len(idx) * VAL_FRACTION))
        val += idx[:n_val].tolist()
        train += idx[n_val:].tolist()
    return sorted(train), sorted(val)


def is_complete(out: str) -> bool:
    path = osp.join(out, MANIFEST)
    if not osp.isfile(path):
        return False
    with open(path) as f:
        manifest = json.load(f)
    for split, n in manifest['counts'].items():
        found = sum(
            len(files) for _, _, files in os.walk(osp.join(out, split)))
        if found != n:
            return False
    return True


def prepare(out: str, force: bool = False) -> dict:
    import cv2
    from sklearn.datasets import load_digits

    if not force and is_complete(out):
        with open(osp.join(out, MANIFEST)) as f:
            return json.load(f)
    digits = load_digits()
    images = np.round(digits.images / 16.0 * 255.0).astype(np.uint8)
    labels = digits.target
    train, val = split_indices(labels)
    parent = osp.dirname(osp.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix='.digits-')
    try:
        for split, indices in (('train', train), ('val', val)):
            for i in indices:
                d = osp.join(tmp, split, str(labels[i]))
                os.makedirs(d, exist_ok=True)
                if not cv2.imwrite(osp.join(d, f'{i:04d}.png'), images[i]):
                    raise OSError(f'could not write PNG into {d}')
        manifest = dict(
            source='sklearn.datasets.load_digits',
            image_size=[8, 8],
            classes=[str(c) for c in range(10)],
            counts=dict(train=len(train), val=len(val)),
            seed=SEED)
        with open(osp.join(tmp, MANIFEST), 'w') as f:
            json.dump(manifest, f, indent=2)
        if osp.exists(out):
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--out',
        default='data/digits',
        help='output folder (default: data/digits)')
    parser.add_argument(
        '--force',
        action='store_true',
        help='rewrite even if a complete copy exists')
    args = parser.parse_args(argv)
    manifest = prepare(args.out, args.force)
    print(f'digits in {args.out}: {manifest["counts"]["train"]} train / '
          f'{manifest["counts"]["val"]} val images, 10 classes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
