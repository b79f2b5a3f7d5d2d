"""The OpenMMLab tools as a user runs them: training with --cfg-options,
resume, 2-process CPU training, and bad input answered with one error."""
import os
import os.path as osp

import pytest
import torch
from conftest import ROOT, run_tool

CFG = 'configs/nas/spos/spos_shufflenet_supernet_1xb64_digits.py'
ITERS_PER_EPOCH = 23  # 1438 training images, batch 64


def ckpt_meta(path):
    from mmnas.utils import allow_mmengine_checkpoint_globals
    allow_mmengine_checkpoint_globals()
    # weights_only loading, as torch>=2.6 does by default
    return torch.load(path, map_location='cpu', weights_only=True)['meta']


@pytest.fixture(scope='module')
def one_epoch(digits_root, tmp_path_factory):
    work = tmp_path_factory.mktemp('train')
    run_tool([
        'tools/train.py', CFG, '--work-dir',
        str(work), '--cfg-options', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1'
    ])
    return work


def test_train_with_cfg_options_writes_a_checkpoint(one_epoch):
    meta = ckpt_meta(str(one_epoch / 'epoch_1.pth'))
    assert meta['epoch'] == 1 and meta['iter'] == ITERS_PER_EPOCH


def test_resume_continues_at_the_right_iteration(one_epoch, tmp_path):
    work = tmp_path / 'w'
    work.mkdir()
    for name in ('epoch_1.pth', 'last_checkpoint'):
        src = (one_epoch / name).read_bytes()
        if name == 'last_checkpoint':
            src = str(work / 'epoch_1.pth').encode()
        (work / name).write_bytes(src)
    proc = run_tool([
        'tools/train.py', CFG, '--work-dir',
        str(work), '--resume', '--cfg-options', 'train_cfg.max_epochs=2',
        'train_cfg.val_interval=5'
    ])
    assert 'resumed epoch: 1, iter: 23' in proc.stdout
    meta = ckpt_meta(str(work / 'epoch_2.pth'))
    assert meta['epoch'] == 2 and meta['iter'] == 2 * ITERS_PER_EPOCH


def test_dist_train_two_cpu_processes(digits_root, tmp_path):
    env = dict(
        PATH=osp.dirname(os.sys.executable) + ':' + os.environ['PATH'],
        PORT='29631',
        PYTHON=os.sys.executable)
    proc = run_tool([
        'tools/dist_train.sh', CFG, '2', '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=5'
    ],
                    env=env)
    meta = ckpt_meta(str(tmp_path / 'epoch_1.pth'))
    # two ranks share the epoch: half the iterations of one process
    assert meta['iter'] == (ITERS_PER_EPOCH + 1) // 2
    assert 'Distributed training: True' in proc.stdout


@pytest.mark.parametrize('args, expected', [
    (['tools/train.py', 'configs/nope.py'
      ], "config file 'configs/nope.py' does not exist"),
    (['tools/train.py', CFG, '--cfg-options', 'train_cfg.max_epoch=1'
      ], "'max_epoch' is not in the config at train_cfg. Did you mean "
     "'max_epochs'?"),
    (['tools/test.py', CFG, 'missing.pth'
      ], "checkpoint 'missing.pth' does not exist"),
    ([
        'tools/train.py', CFG, '--cfg-options',
        'model.eval_subnet.backbone.layers.0.0=x'
    ], "'eval_subnet' is not in the config at model"),
])
def test_bad_input_is_one_error_and_writes_nothing(args, expected, tmp_path):
    work = tmp_path / 'w'
    work.mkdir()
    (work / 'epoch_1.pth').write_bytes(b'finished work')
    proc = run_tool(args + ['--work-dir', str(work)], check=False)
    assert proc.returncode == 2
    assert expected in proc.stdout and 'Traceback' not in proc.stdout
    assert sorted(os.listdir(work)) == ['epoch_1.pth']
    assert (work / 'epoch_1.pth').read_bytes() == b'finished work'


def test_unknown_candidate_in_config_is_named(tmp_path):
    cfg = tmp_path / 'bad.py'
    cfg.write_text(
        f"_base_ = ['{ROOT}/{CFG}']\n"
        "model = dict(eval_subnet={'backbone.layers.0.0': 'shuffle_9x9'})\n")
    proc = run_tool(
        ['tools/train.py',
         str(cfg), '--work-dir',
         str(tmp_path / 'w')],
        check=False)
    assert proc.returncode == 2
    assert "unknown choice 'shuffle_9x9'" in proc.stdout
    assert 'Traceback' not in proc.stdout
