"""Optional LMDB data: tools/dataset_converters/images_to_lmdb.py packs the
digits folders, the *_lmdb configs read them through mmengine's
LmdbBackend and see exactly the images and labels of the folder configs."""
import os
import os.path as osp
import sys

import numpy as np
import pytest
from conftest import ROOT, run_tool
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.registry import DATASETS
from mmnas.utils import UserError

pytest.importorskip('lmdb')
register_all_modules()
sys.path.insert(0, osp.join(ROOT, 'tools', 'dataset_converters'))
import images_to_lmdb  # noqa: E402

CFG = osp.join(ROOT, 'configs')
DIGITS_LMDB = 'data/digits_lmdb'  # lmdb_root of the digits LMDB configs
RETRAIN = 'configs/nas/densenas/densenas_retrain_1xb64_digits_lmdb.py'
NET_CONFIG = ("[[16, 16], 'mbconv_k3_t1', [], 0, 1]|"
              "[[16, 24], 'mbconv_k3_t3', [], 0, 2]|"
              "[[24, 32], 'mbconv_k3_t3', [], 0, 2]|[[32, 64], 'conv1_1']")


@pytest.fixture(scope='module')
def digits_lmdb(digits_root, tmp_path_factory):
    """The digits data packed by the converter's command line."""
    out = tmp_path_factory.mktemp('lmdb') / 'digits_lmdb'
    assert images_to_lmdb.main([digits_root, str(out)]) == 0
    assert sorted(os.listdir(out)) == [
        'classes.txt', 'train.lmdb', 'train.txt', 'val.lmdb', 'val.txt'
    ]
    return str(out)


def relocated(cfg, root):
    """``cfg`` with the default LMDB location replaced by ``root``."""
    if isinstance(cfg, dict):
        return {k: relocated(v, root) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(relocated(v, root) for v in cfg)
    if isinstance(cfg, str) and cfg.startswith(DIGITS_LMDB + '/'):
        return root + cfg[len(DIGITS_LMDB):]
    return cfg


def datasets(split, digits_root, digits_lmdb):
    """(folder dataset, LMDB dataset) of ``split`` from the two base
    configs, each with its config's LoadImageFromFile only."""
    loader = 'train_dataloader' if split == 'train' else 'val_dataloader'
    folder = Config.fromfile(osp.join(
        CFG, '_base_/datasets/digits_bs64.py'))[loader]['dataset']
    lmdb = Config.fromfile(
        osp.join(CFG,
                 '_base_/datasets/digits_bs64_lmdb.py'))[loader]['dataset']
    folder = dict(
        folder, data_root=digits_root, pipeline=folder['pipeline'][:1])
    lmdb = relocated(dict(lmdb, pipeline=lmdb['pipeline'][:1]), digits_lmdb)
    assert lmdb['pipeline'][0]['backend_args']['backend'] == 'lmdb'
    return DATASETS.build(folder), DATASETS.build(lmdb)


@pytest.mark.parametrize('split', ['train', 'val'])
def test_lmdb_config_reads_the_same_images_and_labels(split, digits_root,
                                                      digits_lmdb):
    folder, lmdb = datasets(split, digits_root, digits_lmdb)
    assert len(lmdb) == len(folder) == dict(train=1438, val=359)[split]
    assert tuple(lmdb.metainfo['classes']) == \
        tuple(folder.metainfo['classes']) == tuple(str(c) for c in range(10))
    prefix = osp.join(digits_root, split) + os.sep
    for i in range(len(folder)):
        a, b = folder[i], lmdb[i]
        assert b['img_path'] == a['img_path'][len(prefix):]
        assert a['gt_label'] == b['gt_label']
        assert a['img'].dtype == b['img'].dtype
        assert np.array_equal(a['img'], b['img'])


def test_lmdb_configs_differ_from_folder_configs_only_in_reading():
    """Same augmentation and loaders; the real configs carry exactly the
    loaders of their LMDB dataset base."""
    pairs = [('_base_/datasets/digits_bs64.py',
              '_base_/datasets/digits_bs64_lmdb.py'),
             ('_base_/datasets/imagenet_bs128_densenas.py',
              '_base_/datasets/imagenet_bs128_densenas_lmdb.py')]
    for folder, lmdb in pairs:
        a, b = (Config.fromfile(osp.join(CFG, p)) for p in (folder, lmdb))
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            fa, fb = a[loader].to_dict(), b[loader].to_dict()
            da, db = fa.pop('dataset'), fb.pop('dataset')
            assert fa == fb
            assert da['pipeline'][1:] == db['pipeline'][1:]
            assert db['pipeline'][0]['type'] == 'LoadImageFromFile'
            assert db['ann_file'] and not db['data_root']
    for real, folder_real, base in [
        ('nas/densenas/densenas_a_8xb128_in1k_lmdb.py',
         'nas/densenas/densenas_a_8xb128_in1k.py',
         '_base_/datasets/imagenet_bs128_densenas_lmdb.py'),
        ('nas/densenas/densenas_retrain_1xb64_digits_lmdb.py',
         'nas/densenas/densenas_retrain_1xb64_digits.py',
         '_base_/datasets/digits_bs64_lmdb.py')
    ]:
        r, f, b = (
            Config.fromfile(osp.join(CFG, p))
            for p in (real, folder_real, base))
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            assert r[loader] == b[loader]
        assert r.model == f.model and r.optim_wrapper == f.optim_wrapper
        assert r.train_cfg == f.train_cfg


def test_one_epoch_of_the_digits_lmdb_config(digits_lmdb, tmp_path):
    """tools/train.py runs the DenseNAS digits retrain config from LMDB
    (data loader workers included)."""
    net_config = tmp_path / 'net_config.txt'
    net_config.write_text(NET_CONFIG)
    paths = []
    for loader, split in (('train_dataloader', 'train'), ('val_dataloader',
                                                          'val')):
        ds = f'{loader}.dataset'
        paths += [
            f'{ds}.ann_file={digits_lmdb}/{split}.txt',
            f'{ds}.metainfo.classes={digits_lmdb}/classes.txt',
            f'{ds}.pipeline.0.backend_args.db_path='
            f'{digits_lmdb}/{split}.lmdb'
        ]
    work = tmp_path / 'work'
    proc = run_tool([
        'tools/train.py', RETRAIN, '--work-dir',
        str(work), '--cfg-options', f'model.backbone.net_config={net_config}',
        'model.head.in_channels=64', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1'
    ] + paths)
    assert (work / 'epoch_1.pth').is_file()
    assert 'Epoch(val) [1][3/3]' in proc.stdout
    assert 'accuracy/top1' in proc.stdout


# -- converter input errors --


def test_converter_refuses_bad_input(digits_root, tmp_path):
    out = tmp_path / 'out'
    with pytest.raises(UserError, match="test' is not a folder"):
        images_to_lmdb.convert(digits_root, str(out), ['train', 'test'])
    out.mkdir()
    with pytest.raises(UserError, match='already exists'):
        images_to_lmdb.convert(digits_root, str(out), ['val'])
    with pytest.raises(UserError, match='twice'):
        images_to_lmdb.convert(digits_root, str(tmp_path / 'o'),
                               ['val', 'val'])

    data = tmp_path / 'data'
    for split in ('train', 'val'):
        for c in ('a', 'b'):
            (data / split / c).mkdir(parents=True)
            (data / split / c / 'x.png').write_bytes(b'png')
    (data / 'val' / 'c').mkdir()
    with pytest.raises(UserError, match=r"class folder\(s\) c in .*val"):
        images_to_lmdb.convert(
            str(data), str(tmp_path / 'o'), ['train', 'val'])
    (data / 'val' / 'c' / 'y.jpg').write_bytes(b'jpg')
    with pytest.raises(UserError, match='different class folders'):
        images_to_lmdb.convert(
            str(data), str(tmp_path / 'o'), ['train', 'val'])
    (data / 'train' / 'a' / 'caf\u00e9.png').write_bytes(b'png')
    with pytest.raises(UserError, match='cannot be LMDB keys'):
        images_to_lmdb.convert(str(data), str(tmp_path / 'o'), ['train'])
    assert not (tmp_path / 'o').exists()
    assert sorted(os.listdir(tmp_path)) == ['data', 'out']


def test_converter_writes_all_or_nothing(digits_root, tmp_path, monkeypatch,
                                         run_in_process):
    """A failure while packing leaves neither OUT_DIR nor a temporary
    folder; the command line reports bad input as one error line."""
    calls = []

    def fail_second(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise OSError('disk gone')
        return real(*args, **kwargs)

    real = images_to_lmdb.write_lmdb
    monkeypatch.setattr(images_to_lmdb, 'write_lmdb', fail_second)
    with pytest.raises(OSError, match='disk gone'):
        images_to_lmdb.convert(digits_root, str(tmp_path / 'out'),
                               ['train', 'val'])
    assert len(calls) == 2 and os.listdir(tmp_path) == []

    monkeypatch.undo()
    out = tmp_path / 'val_only'
    argv = [digits_root, str(out), '--splits', 'val']
    code, text = run_in_process('dataset_converters/images_to_lmdb.py', argv)
    assert code == 0
    assert text.splitlines()[-1] == (
        f'wrote {out}: val.lmdb 359 images + val.txt, classes.txt')
    code, text = run_in_process('dataset_converters/images_to_lmdb.py', argv)
    assert code == 2
    assert text == (
        f'error: {str(out)!r} already exists. Pass a new OUT_DIR or '
        'remove the old one.\n')
