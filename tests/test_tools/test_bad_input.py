"""The bad-input matrix: every mistake a user makes with the tools ends with
one ``error:`` line that names the problem and the fix, exit code 2, and no
finished file overwritten or left half-written.

Cases already covered elsewhere (not repeated): missing config, unknown
--cfg-options key, missing checkpoint, unknown choice in a config
(test_train_and_test_tools.py); impossible constraint, subnet file entries
that do not fit (test_models/test_algorithms/test_spos.py). The tools run in
this process (``run_in_process``) so the matrix costs one import, not one
per case.
"""
import errno
import os
import os.path as osp
import shutil

import pytest
import torch
from conftest import ROOT

CFG = 'configs/nas/spos/spos_shufflenet_supernet_1xb64_digits.py'
FINISHED = b'finished work'


@pytest.fixture
def work(tmp_path):
    """A work dir holding a finished checkpoint that must survive."""
    w = tmp_path / 'work'
    w.mkdir()
    (w / 'epoch_1.pth').write_bytes(FINISHED)
    return w


@pytest.fixture
def tiny_cfg(tmp_path, digits_root):
    """The digits supernet config on 64 training / 32 val images."""
    path = tmp_path / 'tiny.py'
    path.write_text(f"_base_ = ['{ROOT}/{CFG}']\n"
                    "train_dataloader = dict(dataset=dict(indices=64))\n"
                    "val_dataloader = dict(dataset=dict(indices=32))\n"
                    "train_cfg = dict(max_epochs=1, val_interval=1)\n")
    return str(path)


def untouched(work):
    assert (work / 'epoch_1.pth').read_bytes() == FINISHED
    left = [n for n in os.listdir(work) if n.endswith('.tmp')]
    assert not left, f'half-written files left: {left}'


def one_error(code, out, *expected):
    assert code == 2, out[-2000:]
    assert 'Traceback' not in out
    assert out.count('error: ') == 1, out[-2000:]
    message = out[out.index('error: '):]  # may list several entries
    for text in expected:
        assert text in message, message
    return message


def test_broken_config(run_in_process, tmp_path, work):
    bad = tmp_path / 'broken.py'
    bad.write_text('model = dict(type="SPOS",\n')
    one_error(*run_in_process(
        'train.py', [str(bad), '--work-dir', str(work)]),
              'could not be read: SyntaxError', 'Fix the config file')
    untouched(work)


def test_cfg_option_of_the_wrong_type(run_in_process, work):
    one_error(
        *run_in_process('train.py', [
            CFG, '--work-dir',
            str(work), '--cfg-options', 'train_cfg.max_epochs=abc'
        ]), "train_cfg.max_epochs='abc'", 'holds a number',
        'e.g. train_cfg.max_epochs=24')
    untouched(work)


def test_unknown_choice_in_a_subnet_file(run_in_process, tmp_path):
    from mmnas.structures import dump_subnet, load_subnet
    subnet = load_subnet(osp.join(ROOT, 'configs/nas/spos/SPOS_SUBNET.yaml'))
    subnet['backbone.layers.0.0'] = 'shuffle_9x9'
    path = dump_subnet(subnet, str(tmp_path / 'bad.yaml'))
    one_error(
        *run_in_process('analysis/get_flops.py',
                        [CFG, '--subnet', path, '--shape', '32', '32']),
        "unknown choice 'shuffle_9x9'")


def test_subnet_file_of_another_space(run_in_process):
    other = 'configs/nas/spos/SPOS_MOBILENET_490M_FROM_ANGELNAS.yaml'
    line = one_error(
        *run_in_process('analysis/get_flops.py',
                        [CFG, '--subnet', other, '--shape', '32', '32']))
    assert 'unknown mutable' in line or 'missing mutable' in line


@pytest.mark.parametrize('damage', ['truncated', 'garbage'])
def test_corrupt_checkpoint(run_in_process, work, tiny_cfg, damage, tmp_path):
    ckpt = tmp_path / 'bad.pth'
    torch.save({'state_dict': {'w': torch.zeros(1000)}}, str(ckpt))
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[:len(data) // 2] if damage ==
                     'truncated' else b'not a checkpoint' * 10)
    one_error(
        *run_in_process(
            'test.py', [tiny_cfg, str(ckpt), '--work-dir',
                        str(work)]), 'truncated or corrupt',
        'Use another checkpoint')
    untouched(work)


def test_resume_from_a_truncated_checkpoint(run_in_process, work, tiny_cfg):
    (work / 'epoch_2.pth').write_bytes(b'PK\x03\x04 cut by a kill')
    (work / 'last_checkpoint').write_text(str(work / 'epoch_2.pth'))
    one_error(
        *run_in_process('train.py',
                        [tiny_cfg, '--work-dir',
                         str(work), '--resume']), 'epoch_2.pth',
        'truncated or corrupt')
    untouched(work)


def test_checkpoint_of_another_model(run_in_process, work, tiny_cfg, tmp_path):
    other = tmp_path / 'other.pth'
    torch.save(
        {
            'meta': {},
            'state_dict':
            torch.nn.Sequential(
                torch.nn.Conv2d(3, 8, 3), torch.nn.Linear(8, 10)).state_dict()
        }, str(other))
    one_error(
        *run_in_process(
            'test.py',
            [tiny_cfg, str(other), '--work-dir',
             str(work)]), 'checkpoint of another model', 'with this config')
    untouched(work)


def test_missing_data_folder(run_in_process, work, tiny_cfg, tmp_path):
    one_error(
        *run_in_process('train.py', [
            tiny_cfg, '--work-dir',
            str(work), '--cfg-options',
            f'train_dataloader.dataset.data_root={tmp_path}/nodata'
        ]), 'nodata/train', 'does not exist', 'prepare_digits.py')
    untouched(work)


def test_empty_class_folder(run_in_process, work, tiny_cfg, tmp_path,
                            digits_root):
    data = tmp_path / 'digits'
    shutil.copytree(osp.join(digits_root, 'train'), data / 'train')
    for f in (data / 'train' / '3').iterdir():
        f.unlink()
    one_error(
        *run_in_process('train.py', [
            tiny_cfg, '--work-dir',
            str(work), '--cfg-options',
            f'train_dataloader.dataset.data_root={data}'
        ]), 'class folder(s) 3', 'hold no image')
    untouched(work)


@pytest.mark.parametrize('layout', ['no class folder', 'no image at all'])
def test_data_folder_without_images(layout, tmp_path):
    from mmnas.datasets import ImageFolder
    from mmnas.utils import UserError
    (tmp_path / 'train').mkdir()
    if layout == 'no image at all':
        (tmp_path / 'train' / '0').mkdir()
    expected = 'holds no class folder' if layout == 'no class folder' \
        else 'no class folder in .* holds an image'
    with pytest.raises(UserError, match=expected):
        ImageFolder(data_root=str(tmp_path), data_prefix='train')


def test_work_dir_not_writable(run_in_process, tiny_cfg, tmp_path):
    blocker = tmp_path / 'a_file'
    blocker.write_bytes(FINISHED)
    one_error(
        *run_in_process('train.py',
                        [tiny_cfg, '--work-dir',
                         str(blocker / 'work')]), 'cannot write',
        'pass another --work-dir')
    assert blocker.read_bytes() == FINISHED


def test_disk_full_while_saving_a_checkpoint(run_in_process, work, tiny_cfg,
                                             monkeypatch):

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    # the data reaches the disk at fsync; a full disk fails there
    monkeypatch.setattr('mmnas.utils.io.os.fsync', full)
    one_error(*run_in_process(
        'train.py', [tiny_cfg, '--work-dir', str(work)]),
              'No space left on device', 'The disk is full')
    untouched(work)
    assert not (work / 'last_checkpoint').exists()


def test_plot_search_of_a_work_dir_without_a_search(run_in_process, work):
    one_error(*run_in_process('analysis/plot_search.py', [str(work)]),
              'search_log.jsonl', 'does not exist', '--work-dir of')
    untouched(work)
