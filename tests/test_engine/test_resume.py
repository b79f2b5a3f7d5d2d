"""Resume after SIGKILL: a run killed mid-way through the epoch after its
first checkpoint and resumed with ``--resume`` ends with the same weights
and architecture parameters as the run that was not interrupted (same
seed); the ``last_checkpoint`` pointer is replaced atomically and a damaged
one is got past. The evolution search's resume is tested in
test_models/test_algorithms/test_spos.py, the PONAS table's in
test_models/test_algorithms/test_ponas.py."""
import builtins
import os.path as osp

import pytest
import torch
from conftest import ROOT, logged_iters, run_and_kill, run_tool
from mmengine.hooks import CheckpointHook
from mmengine.logging import MessageHub, MMLogger

from mmnas.engine.hooks import AtomicCheckpointHook
from mmnas.utils.checkpoint_io import CheckpointError

ITERS = 4  # per epoch in every case
# 128 training images at batch 32, no workers (their generators would
# persist across epochs, see EpochSeedHook), no validation
TINY = """_base_ = ['{root}/{config}']
train_dataloader = dict(batch_size=32, num_workers=0,
                        persistent_workers=False, dataset=dict(indices=128))
train_cfg = dict(max_epochs=3, val_begin=100, val_interval=100)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=3))
randomness = dict(seed=0)
{extra}"""

CASES = {
    'spos_supernet': ('configs/nas/spos/'
                      'spos_shufflenet_supernet_1xb64_digits.py', ''),
    # epoch 0 weights only, epoch 1 weights + architecture, epoch 2 fixed
    'dsnas': ('configs/nas/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py',
              'model = dict(pretrain_epochs=1, finetune_epochs=2,\n'
              '             warm_start=dict(epochs=1))\n'
              'custom_hooks = []'),
    # 32 weight images at batch 8, 8 architecture images at batch 3: the
    # arch loader's 3 batches a pass do not line up with the epochs, so the
    # resumed run starts one batch into its second pass
    'densenas': ('configs/nas/densenas/densenas_mbv2_search_1xb32_digits.py',
                 'train_dataloader = dict(batch_size=8, num_workers=0, '
                 'persistent_workers=False,\n'
                 '    dataset=dict(dataset=dict(indices=40)))\n'
                 'train_cfg.update(max_epochs=2, arch_begin=0,\n'
                 '    arch_dataloader=dict(batch_size=3, num_workers=0,\n'
                 '        persistent_workers=False,\n'
                 '        dataset=dict(dataset=dict(indices=40))))\n'
                 'custom_hooks = []'),
}
# resumed with last_checkpoint emptied, as a kill while mmengine rewrote it
# in place would leave it
EMPTIED_POINTER = {'spos_supernet'}


def train_args(cfg, work, resume=False):
    return ['tools/train.py',
            str(cfg), '--work-dir',
            str(work), '--quiet'] + (['--resume'] if resume else [])


def tensors(obj, name=''):
    """``{path: tensor}`` of every tensor in a nested checkpoint entry."""
    if torch.is_tensor(obj):
        return {name: obj}
    items = obj.items() if isinstance(obj, dict) else \
        enumerate(obj) if isinstance(obj, (list, tuple)) else ()
    found = {}
    for key, value in items:
        found.update(tensors(value, f'{name}/{key}'))
    return found


def final_state(work):
    from mmnas.utils import allow_mmengine_checkpoint_globals
    allow_mmengine_checkpoint_globals()
    with open(work / 'last_checkpoint') as f:
        path = f.read().strip()
    return torch.load(path, map_location='cpu', weights_only=True)


@pytest.mark.parametrize('case', sorted(CASES))
def test_killed_and_resumed_run_ends_like_the_uninterrupted_one(
        case, tmp_path, digits_root):
    config, extra = CASES[case]
    cfg = tmp_path / 'tiny.py'
    cfg.write_text(TINY.format(root=ROOT, config=config, extra=extra))

    run_tool(train_args(cfg, tmp_path / 'whole'))
    whole = final_state(tmp_path / 'whole')
    epochs = whole['meta']['epoch']

    # killed two iterations into the second epoch, after epoch_1.pth
    killed = tmp_path / 'killed'
    run_and_kill(
        train_args(cfg, killed),
        lambda: max(sum(logged_iters(killed), [0])) >= ITERS + 2)
    assert not (killed / f'epoch_{epochs}.pth').exists(), 'killed too late'
    if case in EMPTIED_POINTER:
        (killed / 'last_checkpoint').write_text('')
    run_tool(train_args(cfg, killed, resume=True))
    assert logged_iters(killed)[-1][0] == ITERS + 1, 'not resumed'

    resumed = final_state(killed)
    assert resumed['meta']['epoch'] == epochs
    # weights, BN statistics, architecture parameters, optimizer states
    whole, resumed = (
        tensors({k: ckpt[k]
                 for k in ('state_dict', 'optimizer')})
        for ckpt in (whole, resumed))
    only = sorted(set(whole) ^ set(resumed))
    assert not only, f'{len(only)} tensors in one run only, e.g. {only[:3]}'
    differ = [k for k in whole if not torch.equal(whole[k], resumed[k])]
    assert not differ, f'{len(differ)} tensors differ, e.g. {differ[:3]}'


class FakeRunner:
    """What CheckpointHook reads from a runner to save and resume."""

    def __init__(self, work_dir, resume=False):
        self.work_dir = str(work_dir)
        self.logger = MMLogger.get_current_instance()
        self.message_hub = MessageHub.get_instance(f'fake_{work_dir}')
        self.epoch = self.iter = 0
        self._resume, self._load_from = resume, None

    def save_checkpoint(self, out_dir, filename, *args, **kwargs):
        torch.save({'meta': {}}, osp.join(out_dir, filename))


def test_last_checkpoint_is_replaced_not_rewritten_in_place(
        tmp_path, monkeypatch):
    pointer = str(tmp_path / 'last_checkpoint')
    real_open = builtins.open

    def trap(file, mode='r', *args, **kwargs):
        assert not ('w' in mode and str(file) == pointer), \
            'last_checkpoint opened for writing in place'
        return real_open(file, mode, *args, **kwargs)

    def save_twice(hook):
        runner = FakeRunner(tmp_path)
        hook.before_train(runner)
        with monkeypatch.context() as m:
            m.setattr(builtins, 'open', trap)
            for runner.epoch in (0, 1):
                hook._save_checkpoint(runner)

    with pytest.raises(AssertionError, match='in place'):
        save_twice(CheckpointHook())  # mmengine's, for contrast
    save_twice(AtomicCheckpointHook())
    assert open(pointer).read() == str(tmp_path / 'epoch_2.pth')
    assert not list(tmp_path.glob('*.tmp'))


@pytest.mark.parametrize('pointer', [None, '', 'cut', 'gone'])
def test_resume_gets_past_a_damaged_last_checkpoint(tmp_path, pointer):
    for n in (1, 2, 3):
        torch.save({'meta': {}}, str(tmp_path / f'epoch_{n}.pth'))
    cut = (tmp_path / 'epoch_3.pth').read_bytes()
    (tmp_path / 'epoch_3.pth').write_bytes(cut[:len(cut) // 2])
    text = dict(
        cut=str(tmp_path / 'epoch_2.pth')[:-3],
        gone=str(tmp_path / 'epoch_9.pth')).get(pointer, pointer)
    if text is not None:
        (tmp_path / 'last_checkpoint').write_text(text)
    runner = FakeRunner(tmp_path, resume=True)
    AtomicCheckpointHook().before_run(runner)
    assert runner._load_from == str(tmp_path / 'epoch_2.pth')


def test_resume_with_a_sound_or_no_last_checkpoint(tmp_path):
    runner = FakeRunner(tmp_path, resume=True)
    AtomicCheckpointHook().before_run(runner)  # a fresh work dir
    assert runner._load_from is None
    torch.save({'meta': {}}, str(tmp_path / 'epoch_2.pth'))
    torch.save({'meta': {}}, str(tmp_path / 'epoch_1.pth'))
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    AtomicCheckpointHook().before_run(runner)  # mmengine follows it
    assert runner._load_from is None


def test_damaged_last_checkpoint_without_checkpoints_is_one_error(tmp_path):
    (tmp_path / 'last_checkpoint').write_text('')
    with pytest.raises(CheckpointError, match='names no checkpoint'):
        AtomicCheckpointHook().before_run(FakeRunner(tmp_path, resume=True))


def test_endless_batches_reshuffle_per_pass_and_resume_mid_pass():
    """Loops that run a loader across epochs get a new order every pass,
    and one rebuilt from the number of batches drawn continues exactly
    where the first was, without touching the global generators."""
    from mmengine.dataset import DefaultSampler
    from torch.utils.data import DataLoader

    from mmnas.engine.loops.resume_state import EndlessBatches
    data = list(range(12))
    loader = DataLoader(
        data, batch_size=3, sampler=DefaultSampler(data, shuffle=True, seed=0))
    stream = EndlessBatches(loader)
    drawn = [next(stream).tolist() for _ in range(10)]
    first, second = drawn[:4], drawn[4:8]
    assert sorted(sum(first, [])) == sorted(sum(second, [])) == data
    assert first != second
    for k in (0, 4, 6):
        resumed = EndlessBatches(loader, drawn=k)
        assert [next(resumed).tolist() for _ in range(10 - k)] == drawn[k:]
    # getting to the middle of a pass leaves the global generator alone
    torch.manual_seed(1)
    expected = torch.rand(1)
    torch.manual_seed(1)
    assert next(EndlessBatches(loader, drawn=6)).tolist() == drawn[6]
    assert torch.equal(torch.rand(1), expected)
