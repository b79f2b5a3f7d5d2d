"""Path samplers of single-path supernet training and the warm start that
copies one trained path into every candidate."""
import random
from collections import Counter

import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub

from mmnas import register_all_modules
from mmnas.models import SearchSpaceError
from mmnas.models.mutables import OneShotMutableOP
from mmnas.models.mutables.one_shot_op import copy_overlap_
from mmnas.registry import MODELS, TASK_UTILS
from mmnas.utils import UserError

register_all_modules()

BLOCK = dict(
    type='OneShotMutableOP',
    candidates=dict(
        shuffle_3x3=dict(type='ShuffleBlock', kernel_size=3),
        shuffle_5x5=dict(type='ShuffleBlock', kernel_size=5),
        shuffle_7x7=dict(type='ShuffleBlock', kernel_size=7),
        shuffle_xception=dict(type='ShuffleXception'),
    ))


def supernet(algorithm='SPOS', block=BLOCK, **kwargs):
    arch = dict(
        type='ImageClassifier',
        backbone=dict(
            type='SearchableShuffleNetV2',
            mutable_cfg=block,
            arch_setting=[[16, 2], [32, 2]],
            last_channels=32,
            small_input=True,
            out_indices=(2, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=10,
            in_channels=32,
            loss=dict(type='CrossEntropyLoss')))
    model = MODELS.build(dict(type=algorithm, architecture=arch, **kwargs))
    model.init_weights()
    return model


def test_strict_fair_uses_every_choice_exactly_once_per_cycle():
    model = supernet(sampler=dict(type='StrictFairSampler'))
    random.seed(0)
    keys = list(model.mutator.search_groups)
    m = 4
    cycles = []
    for _ in range(5):
        cycle = [model.sample_subnet() for _ in range(m)]
        for key in keys:
            assert Counter(c[key] for c in cycle) == Counter(
                model.mutator.choices_of(key)), key
        model.mutator.validate_choices(cycle[0])
        cycles.append([tuple(c.values()) for c in cycle])
    # orders are drawn afresh per cycle and per decision
    assert len({tuple(c) for c in cycles}) > 1
    assert any(len({c[0][i] for c in cycles}) > 1 for i in range(len(keys)))


def test_strict_fair_refuses_decisions_of_different_sizes():
    model = supernet()
    sampler = TASK_UTILS.build(dict(type='StrictFairSampler'))
    first = model.mutator.search_groups[next(
        iter(model.mutator.search_groups))][0]
    first.fix_chosen('shuffle_3x3')
    with pytest.raises(UserError, match='same number of choices'):
        sampler.sample(model.mutator)


def test_uniform_sampler_draws_valid_varied_paths():
    model = supernet()
    paths = [model.sample_subnet() for _ in range(20)]
    for p in paths:
        model.mutator.validate_choices(p)
    assert len({tuple(p.values()) for p in paths}) > 1


FLOPS = dict(type='CostTable', input_shape=(1, 3, 32, 32), cache=False)


def test_constrained_sampler_trains_only_paths_in_range_across_its_bins():
    model = supernet()
    low, high = (v / 1e6 for v in _flops_bounds(model))
    # the middle third of the space's FLOPs, in two bins
    lo, hi = low + (high - low) / 3, high - (high - low) / 3
    model = supernet(
        sampler=dict(
            type='ConstrainedUniformSampler',
            estimator=FLOPS,
            constraints_range=dict(flops=(lo, hi)),
            bins=2))
    sampler = model.sampler
    random.seed(0)
    costs = []
    for _ in range(60):
        path = model.sample_subnet()
        model.mutator.validate_choices(path)
        costs.append(sampler.estimator.cost(path)['flops'] / 1e6)
    assert all(lo <= c <= hi for c in costs)
    middle = (lo + hi) / 2
    # a bin is drawn per step: both halves of the range get trained
    assert 15 <= sum(c < middle for c in costs) <= 45
    assert len(set(costs)) > 10


def _flops_bounds(model):
    est = TASK_UTILS.build(FLOPS)
    est.bind(model.architecture, model.mutator)
    return est.bounds()['flops']


def test_constrained_sampler_refuses_bad_settings():
    model = supernet()
    low, high = (v / 1e6 for v in _flops_bounds(model))
    with pytest.raises(
            UserError,
            match=r'no subnet satisfies.*outside the space.*spans.*flops'):
        supernet(
            sampler=dict(
                type='ConstrainedUniformSampler',
                estimator=FLOPS,
                constraints_range=dict(flops=(high + 1, high + 2))))
    with pytest.raises(
            UserError, match=r"unknown constraint\(s\) \['bitops'\]"):
        supernet(
            sampler=dict(
                type='ConstrainedUniformSampler',
                estimator=FLOPS,
                constraints_range=dict(bitops=(0, 1))))
    with pytest.raises(UserError, match='needs constraints_range'):
        supernet(
            sampler=dict(
                type='ConstrainedUniformSampler',
                estimator=FLOPS,
                constraints_range=dict(flops=(low, high)),
                bins=0))


def test_copy_overlap_centres_a_kernel_and_keeps_the_function():
    small = nn.Conv2d(4, 6, 3, padding=1)
    large = nn.Conv2d(8, 6, 5, padding=2)
    with torch.no_grad():
        copy_overlap_(large.weight, small.weight)
        copy_overlap_(large.bias, small.bias)
    x = torch.randn(2, 4, 9, 9)
    padded = torch.cat([x, torch.zeros(2, 4, 9, 9)], 1)
    # the extra input channels keep their own weights; with zero input
    # there, the 5x5 conv computes what the 3x3 one does
    torch.testing.assert_close(large(padded), small(x))
    assert large.weight[:, :4, 0].abs().sum() == 0


def test_inherit_from_makes_kernel_candidates_compute_the_reference():
    op = MODELS.build(
        dict(
            BLOCK, module_kwargs=dict(in_channels=8, out_channels=8,
                                      stride=1)))
    op.init_weights()
    x = torch.randn(2, 8, 7, 7)
    op.train()
    op.current_choice = 'shuffle_3x3'
    op(x)  # BN statistics differ from the other candidates' afterwards
    op.eval()
    before = {c: op._candidates[c](x) for c in op.choices}
    op.inherit_from('shuffle_3x3')
    ref = op._candidates['shuffle_3x3'](x)
    torch.testing.assert_close(ref, before['shuffle_3x3'])
    for choice in ('shuffle_5x5', 'shuffle_7x7'):
        torch.testing.assert_close(op._candidates[choice](x), ref)
        assert not torch.allclose(before[choice], ref)
    # xception shares no parameter name with the shuffle blocks at stride 1
    torch.testing.assert_close(op._candidates['shuffle_xception'](x),
                               before['shuffle_xception'])
    with pytest.raises(ValueError, match='unknown choice'):
        op.inherit_from('shuffle_9x9')


def _at_epoch(model, epoch):
    MessageHub.get_current_instance().update_info('epoch', epoch)
    return model.sample_subnet()


def test_warm_start_trains_the_reference_path_then_copies_it_once():
    model = supernet(warm_start=dict(epochs=2))
    ref = model.mutator.reference_choices()
    assert set(ref.values()) == {'shuffle_3x3'}
    ops = [
        m for m in model.mutator.mutables if isinstance(m, OneShotMutableOP)
    ]
    weight = {
        id(m): m._candidates['shuffle_7x7'].branch2[0].conv.weight
        for m in ops
    }
    with torch.no_grad():
        for m in ops:
            m._candidates['shuffle_3x3'].branch2[0].conv.weight.fill_(0.5)
    try:
        assert _at_epoch(model, 0) == ref and _at_epoch(model, 1) == ref
        assert all(not torch.all(w == 0.5) for w in weight.values())
        first = _at_epoch(model, 2)  # first step after the warm start
        assert all(torch.all(w == 0.5) for w in weight.values())
        with torch.no_grad():
            for w in weight.values():
                w.fill_(0.25)
        paths = [first] + [_at_epoch(model, 2) for _ in range(10)]
        assert any(p != ref for p in paths)
        assert all(torch.all(w == 0.25) for w in weight.values())
    finally:
        MessageHub.get_current_instance().update_info('epoch', 0)


def test_warm_start_resumed_later_does_not_copy_again():
    model = supernet(warm_start=dict(epochs=2))
    ops = [
        m for m in model.mutator.mutables if isinstance(m, OneShotMutableOP)
    ]
    before = [m._candidates['shuffle_5x5'].state_dict() for m in ops]
    before = [{k: v.clone() for k, v in sd.items()} for sd in before]
    try:
        _at_epoch(model, 3)
    finally:
        MessageHub.get_current_instance().update_info('epoch', 0)
    for m, sd in zip(ops, before):
        for k, v in m._candidates['shuffle_5x5'].state_dict().items():
            assert torch.equal(v, sd[k])


def test_warm_start_settings_are_checked():
    with pytest.raises(UserError, match='warm_start takes epochs'):
        supernet(warm_start=dict(epoch=2))
    with pytest.raises(SearchSpaceError, match='unknown choice'):
        supernet(
            warm_start=dict(
                epochs=1, choices={'backbone.layers.0.0': 'conv_9x9'}))


def test_warm_start_pins_op_decisions_and_samples_channel_widths():
    channel = dict(
        type='OneShotMutableChannel',
        choices=[0.5, 1.0, 2.0],
        op=dict(type='ShuffleBlock', kernel_size=3))
    block = dict(
        type='OneShotMutableOP',
        candidates=dict(
            c3=channel,
            c5=dict(channel, op=dict(type='ShuffleBlock', kernel_size=5))))
    model = supernet(block=block, warm_start=dict(epochs=1))
    ref = model.mutator.reference_choices()
    assert ref and set(ref.values()) == {'c3'}
    assert not any(k.endswith('.channel') for k in ref)
    random.seed(0)
    try:
        paths = [_at_epoch(model, 0) for _ in range(12)]
    finally:
        MessageHub.get_current_instance().update_info('epoch', 0)
    for p in paths:
        assert all(p[k] == 'c3' for k in ref)
    widths = {v for p in paths for k, v in p.items() if k.endswith('.channel')}
    assert len(widths) > 1
