"""``schedule_options`` shortens a schedule the way the benchmarks run it:
the learning rate a shortened config gives each iteration, with the
schedulers built as the runner builds them."""
import glob

import pytest
import torch
from conftest import ROOT
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS

from mmnas.utils.config import schedule_options

SPOS_SUBNET = f'{ROOT}/configs/nas/spos/spos_shufflenet_subnet_1xb64_digits.py'
DSNAS_SUBNET = (f'{ROOT}/configs/nas/dsnas/'
                'dsnas_shufflenet_subnet_1xb64_digits.py')
RETRAIN = sorted(
    glob.glob(f'{ROOT}/configs/nas/*/*_subnet_*_digits.py') +
    glob.glob(f'{ROOT}/configs/nas/densenas/densenas_retrain_*_digits.py'))
ITERS = 10  # per epoch


def lr_curve(path, epochs):
    """The learning rate of every training iteration."""
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(schedule_options(path, epochs))
    assert cfg.train_cfg.max_epochs == epochs
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                                lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = [
        PARAM_SCHEDULERS.build(
            dict(phase),
            default_args=dict(optimizer=optimizer, epoch_length=ITERS))
        for phase in cfg.param_scheduler
    ]
    lrs = []
    for _ in range(epochs * ITERS):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    return cfg.optim_wrapper.optimizer.lr, lrs


@pytest.mark.parametrize('path', RETRAIN)
def test_every_digits_retraining_warms_up_then_decays(path):
    base, lrs = lr_curve(path, 3)
    assert lrs[0] == pytest.approx(base / 10)
    rise, fall = lrs[:ITERS], lrs[ITERS:]
    assert all(b > a for a, b in zip(rise, rise[1:]))
    assert max(lrs) == pytest.approx(base)
    assert all(b < a for a, b in zip(fall, fall[1:]))
    assert lrs[-1] < base / 10


@pytest.mark.parametrize('epochs', [2, 3, 6, 20, 40])
def test_shortened_phases_meet_and_the_warm_up_keeps_an_epoch(epochs):
    opts = schedule_options(SPOS_SUBNET, epochs)
    warm = opts['param_scheduler.0.end']
    assert warm == max(1, round(epochs / 20))
    assert opts['param_scheduler.1.begin'] == warm
    assert opts['param_scheduler.1.end'] == epochs
    base, lrs = lr_curve(SPOS_SUBNET, epochs)
    fall = lrs[warm * ITERS:]  # linear from the base lr to 0 at the end
    step = base / (len(fall) - 1)
    assert fall == pytest.approx([base - i * step for i in range(len(fall))])


def test_a_cosine_phase_still_reaches_its_minimum():
    opts = schedule_options(DSNAS_SUBNET, 3)
    assert opts['param_scheduler.1.T_max'] == 2
    base, lrs = lr_curve(DSNAS_SUBNET, 3)
    assert lrs[-1] < base / 100


def test_a_phase_past_the_run_keeps_its_proportion():
    opts = schedule_options(
        f'{ROOT}/configs/nas/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py',
        5)
    # 25 epochs -> 5: the cosine's T_max of 25 over begin 1 .. end 15
    assert opts['param_scheduler.weights.1.begin'] == 1
    assert opts['param_scheduler.weights.1.end'] == 3
    assert opts['param_scheduler.weights.1.T_max'] == 5
