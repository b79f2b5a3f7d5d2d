"""SPOS channel search: the hidden width of a block as a searchable,
weight-sharing decision, alone or with block choices."""
import json
import os.path as osp
import random

import pytest
import torch
import torch.nn as nn
from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import CostTable, count_static, count_subnet
from mmnas.models import NasMutator, SearchSpaceError
from mmnas.models.mutables import OneShotMutableChannel
from mmnas.models.mutables.one_shot_channel import (SlicedBatchNorm2d,
                                                    SlicedConv2d)
from mmnas.models.subnet import fix_subnet
from mmnas.registry import MODELS
from mmnas.structures import load_subnet

register_all_modules()

SPOS = osp.join(ROOT, 'configs/nas/spos')
DIGITS_CFG = osp.join(SPOS, 'spos_shufflenet_channel_supernet_1xb64_digits.py')
RELEASED = osp.join(SPOS, 'SPOS_SHUFFLENETV2_BLOCK_CHANNEL_SUBNET.yaml')
COMBINED_SEARCH = osp.join(SPOS,
                           'spos_shufflenet_channel_search_1xb64_digits.py')

# (op cfg, in, out, stride)
OPS = {
    'shuffle_k5_s1': (dict(type='ShuffleBlock', kernel_size=5), 32, 32, 1),
    'shuffle_k3_s2': (dict(type='ShuffleBlock', kernel_size=3), 16, 32, 2),
    'xception_s1': (dict(type='ShuffleXception'), 32, 32, 1),
    'xception_s2': (dict(type='ShuffleXception'), 16, 32, 2),
    'mb_k3e6_s1': (dict(type='MBBlock', kernel_size=3,
                        expand_ratio=6), 16, 16, 1),
    'mb_k7e3_s2': (dict(type='MBBlock', kernel_size=7,
                        expand_ratio=3), 16, 24, 2),
}


def randomize(module: nn.Module, seed: int = 0) -> None:
    """Random weights and BN statistics, so a wrong slice cannot pass."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for t in list(module.parameters()) + [
                b for n, b in module.named_buffers() if 'running' in n
        ]:
            t.copy_(torch.rand(t.shape, generator=g) + 0.5)


def channel_op(name, choices=(0.4, 1.0, 1.6)):
    cfg, cin, cout, stride = OPS[name]
    return OneShotMutableChannel(
        op=cfg,
        choices=list(choices),
        in_channels=cin,
        out_channels=cout,
        stride=stride)


def narrow_copy(name: str, mutable: OneShotMutableChannel,
                width: int) -> nn.Module:
    """Op ``name`` built at ``width`` holding the leading slices of the
    supernet op's tensors (written independently of ``fix_chosen``)."""
    cfg, cin, cout, stride = OPS[name]
    ref = MODELS.build(
        dict(
            cfg,
            in_channels=cin,
            out_channels=cout,
            stride=stride,
            mid_channels=width))
    src = mutable.op.state_dict()
    ref.load_state_dict({
        k: src[k][tuple(slice(0, n) for n in t.shape)]
        for k, t in ref.state_dict().items()
    })
    return ref


@pytest.mark.parametrize('name', sorted(OPS))
@pytest.mark.parametrize('scale', [0.4, 1.0])
def test_slicing_equals_a_narrow_op_with_copied_weights(name, scale):
    mutable = channel_op(name)
    randomize(mutable)
    mutable.current_choice = scale
    width = mutable.width_of(scale)
    ref = narrow_copy(name, mutable, width)
    x = torch.randn(2, mutable.op.in_channels, 8, 8)
    mutable.eval()
    ref.eval()
    with torch.no_grad():
        sliced = mutable(x)
        expected = ref(x)
    assert torch.allclose(sliced, expected, atol=1e-5)
    # fixing keeps the function and leaves real narrow layers
    mutable.fix_chosen(scale)
    with torch.no_grad():
        assert torch.allclose(mutable(x), expected, atol=1e-5)
    assert not any(
        isinstance(m, (SlicedConv2d, SlicedBatchNorm2d))
        for m in mutable.modules())
    assert mutable.op.mid_channels == width
    assert sum(p.numel() for p in mutable.parameters()) == \
        sum(p.numel() for p in ref.parameters())


def test_widths_follow_the_official_rounding():
    mutable = channel_op('shuffle_k5_s1', choices=[0.2, 0.6, 1.4, 2.0])
    base = mutable.base_channels
    assert base == 16  # ShuffleBlock default: out // 2
    assert [mutable.width_of(c) for c in mutable.choices] == \
        [int(base * c) for c in (0.2, 0.6, 1.4, 2.0)]
    # built once, at the widest choice
    assert mutable.op.branch2[0].conv.out_channels == 32


def test_training_a_narrow_choice_touches_only_its_channels():
    mutable = channel_op('shuffle_k5_s1')
    randomize(mutable)
    mutable.current_choice = 0.4
    width = mutable.width_of(0.4)
    ref = narrow_copy('shuffle_k5_s1', mutable, width)
    bn = mutable.op.branch2[0].bn
    before = bn.running_mean.clone()
    x = torch.randn(4, 32, 8, 8)
    mutable.train()
    ref.train()
    mutable(x).sum().backward()
    ref(x)
    assert torch.allclose(
        bn.running_mean[:width], ref.branch2[0].bn.running_mean, atol=1e-6)
    assert torch.equal(bn.running_mean[width:], before[width:])
    grad = mutable.op.branch2[0].conv.weight.grad
    assert grad[:width].abs().sum() > 0
    assert grad[width:].abs().sum() == 0


def test_squeeze_excitation_hidden_layers_are_sliced_too():
    mutable = OneShotMutableChannel(
        op=dict(
            type='MBBlock',
            kernel_size=5,
            expand_ratio=6,
            se_cfg=dict(ratio=4)),
        choices=[0.5, 1.0],
        in_channels=16,
        out_channels=16,
        stride=1)
    randomize(mutable)
    mutable.eval()
    mutable.current_choice = 0.5
    x = torch.randn(2, 16, 8, 8)
    with torch.no_grad():
        sliced = mutable(x)
    mutable.fix_chosen(0.5)
    with torch.no_grad():
        assert torch.allclose(mutable(x), sliced, atol=1e-5)
    assert mutable.op.se.conv2.conv.out_channels == 48


def test_bad_channel_settings_are_reported():
    with pytest.raises(ValueError, match='positive'):
        OneShotMutableChannel(
            op=dict(type='ShuffleBlock'),
            choices=[0, 1],
            in_channels=8,
            out_channels=8,
            stride=1)
    with pytest.raises(ValueError, match='hidden_layers'):
        OneShotMutableChannel(
            op=dict(type='IdentityOrProjection'),
            in_channels=8,
            out_channels=8,
            stride=1)
    with pytest.raises(ValueError, match='expand_ratio 1'):
        OneShotMutableChannel(
            op=dict(type='MBBlock', expand_ratio=1),
            choices=[0.5, 1.0],
            in_channels=8,
            out_channels=8,
            stride=1)
    mutable = channel_op('shuffle_k5_s1')
    with pytest.raises(ValueError, match='1.3'):
        mutable.current_choice = 1.3


# -- the block + channel space --


@pytest.fixture(scope='module')
def combined():
    return MODELS.build(Config.fromfile(DIGITS_CFG).model)


def test_one_channel_decision_per_block(combined):
    mutator = combined.mutator
    keys = list(mutator.search_groups)
    assert len(keys) == 40
    assert keys[:2] == ['backbone.layers.0.0', 'backbone.layers.0.0.channel']
    members = mutator.group_members('backbone.layers.2.5.channel')
    assert members == [
        f'backbone.layers.2.5._candidates.{c}'
        for c in ('shuffle_3x3', 'shuffle_5x5', 'shuffle_7x7',
                  'shuffle_xception')
    ]
    assert mutator.choices_of('backbone.layers.2.5.channel') == \
        [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0]
    # setting the decision sets every candidate of the block
    mutator.set_choices({'backbone.layers.2.5.channel': 0.6}, partial=True)
    assert {
        m.current_choice
        for m in mutator.search_groups['backbone.layers.2.5.channel']
    } == {0.6}


def test_released_subnet_file_fits_and_bad_widths_are_named(combined):
    choices = load_subnet(RELEASED)
    combined.mutator.validate_choices(choices)
    bad = dict(choices, **{'backbone.layers.1.2.channel': 1.3})
    with pytest.raises(SearchSpaceError, match=r"layers\.1\.2\.channel.*1\.3"):
        combined.mutator.validate_choices(bad)


def test_combined_search_finds_a_subnet_under_a_flops_limit(
        digits_root, tmp_path, monkeypatch):
    """The SPOS evolution loop searches units and widths together: every
    scored subnet fits the limit by its exact cost, and the best one is a
    subnet file with widths whose static net has the real narrower layers.
    (A 2-block version of the digits space with 2 widths keeps it quick.)"""
    from mmengine.runner import Runner
    monkeypatch.setenv('MMNAS_CACHE_DIR', str(tmp_path / 'cache'))
    cfg = Config.fromfile(COMBINED_SEARCH)
    cfg.work_dir = str(tmp_path / 'search')
    backbone = cfg.model.architecture.backbone
    backbone.update(arch_setting=[[64, 1], [160, 1]], out_indices=(2, ))
    for cand in backbone.mutable_cfg.candidates.values():
        cand.choices = [0.4, 1.0]
    spos = MODELS.build(cfg.model)
    shape = (1, 3, 32, 32)
    plain = {
        k: 1.0 if k.endswith('.channel') else 'shuffle_3x3'
        for k in spos.mutator.search_groups
    }
    limit = count_subnet(spos.architecture, spos.mutator, plain,
                         shape)['flops'] / 1e6
    cfg.train_cfg.update(
        max_epochs=2,
        num_candidates=2,
        top_k=1,
        num_mutation=1,
        num_crossover=1,
        calibrate_bn_iters=1,
        constraints_range=dict(flops=(0, limit)))
    cfg.train_cfg.dataloader.update(num_workers=0, persistent_workers=False)
    cfg.train_cfg.dataloader.dataset.indices = 64  # a quick score
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    with open(osp.join(cfg.work_dir, 'search_log.jsonl')) as f:
        log = [json.loads(line) for line in f]
    assert len(log) >= 3 and all(e['flops'] <= limit for e in log)
    assert {e['epoch'] for e in log} == {0, 1}
    model = runner.model
    exact = count_subnet(model.architecture, model.mutator, log[-1]['choices'],
                         shape)
    assert exact['flops'] / 1e6 == pytest.approx(log[-1]['flops'])
    path = osp.join(cfg.work_dir, 'best_subnet.yaml')
    best = load_subnet(path)
    assert set(best) == set(model.mutator.search_groups)
    assert 'backbone.layers.0.0.channel:\n  chosen: ' \
        f'{best["backbone.layers.0.0.channel"]}' in open(path).read()
    static = MODELS.build(
        dict(
            type='SubnetModel',
            architecture=cfg.model.architecture,
            subnet=path))
    cost = count_static(static, shape)
    assert cost == count_subnet(model.architecture, model.mutator, best, shape)
    assert cost['flops'] <= limit * 1e6
    # the static net holds plain layers of the chosen widths
    assert not any(
        isinstance(m, (SlicedConv2d, SlicedBatchNorm2d, OneShotMutableChannel))
        for m in static.modules())
    block = static.backbone.layers[1][0]
    scale = best['backbone.layers.1.0.channel']
    assert block.mid_channels == int(block.branch_channels * scale)
    last = block.branch2[2]
    last = getattr(last, 'pointwise_conv', last)  # xception or not
    assert type(last.conv) is nn.Conv2d
    assert last.conv.in_channels == block.mid_channels


def test_cost_table_is_exact_for_channel_search_alone():
    cfg = dict(
        type='OneShotMutableChannel',
        choices=[0.4, 1.0, 1.6],
        op=dict(type='ShuffleBlock', kernel_size=3))
    net = MODELS.build(
        dict(
            type='SearchableShuffleNetV2',
            mutable_cfg=cfg,
            arch_setting=[[32, 2], [64, 1]],
            last_channels=64,
            small_input=True,
            out_indices=(2, )))
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    shape = (1, 3, 16, 16)
    table = CostTable(shape, cache=False).bind(net, mutator)
    rng = random.Random(1)
    for _ in range(2):
        choices = mutator.sample_choices(rng)
        assert table.cost(choices) == count_subnet(net, mutator, choices,
                                                   shape)
    narrow = table.candidate_cost('layers.0.1.channel', 0.4)
    wide = table.candidate_cost('layers.0.1.channel', 1.6)
    assert narrow['flops'] < wide['flops']
    assert narrow['params'] < wide['params']


def test_fixing_a_supernet_with_inherited_weights_keeps_its_outputs():
    cfg = dict(
        type='OneShotMutableOP',
        candidates=dict(
            k3=dict(
                type='OneShotMutableChannel',
                choices=[0.4, 1.2],
                op=dict(type='ShuffleBlock', kernel_size=3)),
            xception=dict(
                type='OneShotMutableChannel',
                choices=[0.4, 1.2],
                op=dict(type='ShuffleXception'))))
    net = MODELS.build(
        dict(
            type='SearchableShuffleNetV2',
            mutable_cfg=cfg,
            arch_setting=[[32, 2]],
            last_channels=32,
            small_input=True,
            out_indices=(1, )))
    randomize(net)
    net.eval()
    choices = {
        'layers.0.0': 'xception',
        'layers.0.0.channel': 0.4,
        'layers.0.1': 'k3',
        'layers.0.1.channel': 1.2
    }
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    mutator.set_choices(choices)
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        expected = net(x)[-1]
    fix_subnet(net, choices)
    with torch.no_grad():
        assert torch.allclose(net(x)[-1], expected, atol=1e-5)
    assert type(net.layers[0][0]).__name__ == 'ShuffleXception'
    assert net.layers[0][0].mid_channels == int(16 * 0.4)
