"""Resume after SIGKILL: a run killed after its first checkpoint and resumed
with ``--resume`` ends with the same weights as the run that was not
interrupted (same seed). The evolution search's resume is tested in
tests/test_spos.py."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from conftest import ROOT

# 128 training images at batch 32 (4 steps per epoch), no workers (their
# generators would persist across epochs, see EpochSeedHook), no val
TINY = """_base_ = ['{root}/{config}']
train_dataloader = dict(batch_size=32, num_workers=0,
                        persistent_workers=False, dataset=dict(indices=128))
train_cfg = dict(max_epochs=3, val_interval=100)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=3))
randomness = dict(seed=0)
{extra}"""

CASES = {
    'spos_supernet': ('configs/nas/spos/'
                      'spos_shufflenet_supernet_1xb64_digits.py', ''),
    # epoch 0 weights only, epoch 1 weights + architecture, epoch 2 fixed
    'dsnas': ('configs/nas/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py',
              'model = dict(pretrain_epochs=1, finetune_epochs=2)\n'
              'custom_hooks = []'),
}


def train_cmd(cfg, work, resume=False):
    return [sys.executable, 'tools/train.py', str(cfg), '--work-dir',
            str(work), '--quiet'] + (['--resume'] if resume else [])


def run(cmd):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:]


def weights(path):
    from mmnas.utils import allow_mmengine_checkpoint_globals
    allow_mmengine_checkpoint_globals()
    return torch.load(str(path), map_location='cpu',
                      weights_only=True)['state_dict']


@pytest.mark.parametrize('case', sorted(CASES))
def test_killed_and_resumed_run_ends_like_the_uninterrupted_one(
        case, tmp_path, digits_root):
    config, extra = CASES[case]
    cfg = tmp_path / 'tiny.py'
    cfg.write_text(TINY.format(root=ROOT, config=config, extra=extra))

    run(train_cmd(cfg, tmp_path / 'whole'))

    killed = tmp_path / 'killed'
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    proc = subprocess.Popen(train_cmd(cfg, killed), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while not (killed / 'last_checkpoint').exists():
            assert proc.poll() is None, 'the run ended before a checkpoint'
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert not (killed / 'epoch_3.pth').exists(), 'killed too late'
    run(train_cmd(cfg, killed, resume=True))

    whole, resumed = (weights(d / 'epoch_3.pth')
                      for d in (tmp_path / 'whole', killed))
    assert whole.keys() == resumed.keys()
    differ = [k for k in whole if not torch.equal(whole[k], resumed[k])]
    assert not differ, f'{len(differ)} tensors differ, e.g. {differ[:3]}'
