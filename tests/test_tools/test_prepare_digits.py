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
