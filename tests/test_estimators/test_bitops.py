"""BitOps of the SPOS quantization space: the estimator against a
brute-force count of built static subnets, the uniform-bit ratios at
224x224, the float ResNet counts, and the estimator in the search loop's
interface."""
import random

import pytest
import torch
import torch.nn as nn

from mmnas import register_all_modules
from mmnas.estimators import (BitOpsEstimator, CostTable, count_bitops,
                              count_static)
from mmnas.estimators.cost_table import CostTableError
from mmnas.models import SubnetModel
from mmnas.registry import MODELS

register_all_modules()


def classifier(depth=18, num_classes=10, **backbone):
    quantize = backbone.get('quantize', True)
    width = int(512 * backbone.get('widen_factor', 1.0))
    return dict(
        type='ImageClassifier',
        backbone=dict(type='SearchableQuantResNet', depth=depth, **backbone),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='QuantLinearClsHead' if quantize else 'LinearClsHead',
            num_classes=num_classes,
            in_channels=width))


def supernet(**backbone):
    return MODELS.build(dict(type='SPOS', architecture=classifier(**backbone)))


def brute_force_bitops(static: nn.Module, shape) -> int:
    """Every conv / linear of a built static subnet, its MACs from its
    output shape by hand, times the bits its quantizers hold."""
    total = []

    def hook(m, args, out):
        if isinstance(m, nn.Conv2d):
            n, cout, h, w = out.shape
            macs = n * cout * h * w * (m.in_channels // m.groups) * \
                m.kernel_size[0] * m.kernel_size[1]
        else:
            macs = out.shape[0] * m.out_features * m.in_features
        w_bits = m.w_quant.bits
        a_bits = m.input_bits if m.a_quant is None else m.a_quant.bits
        total.append(macs * w_bits * a_bits)

    hooks = [
        m.register_forward_hook(hook) for m in static.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    static.eval()
    with torch.no_grad():
        static(torch.zeros(shape), mode='tensor')
    for h in hooks:
        h.remove()
    return sum(total)


@pytest.mark.parametrize('backbone', [
    dict(),
    dict(downsample_bits=8, per_bit_bn=True, w_bits=(2, 4, 32)),
    dict(channel_scales=(0.5, 0.75, 1.0), a_bits=(2, 3)),
])
def test_estimator_equals_brute_force_on_random_static_subnets(backbone):
    cfg = dict(widen_factor=0.125, small_input=True, **backbone)
    model = supernet(**cfg)
    est = BitOpsEstimator((1, 3, 16, 16)).bind(model.architecture,
                                               model.mutator)
    rng = random.Random(0)
    for _ in range(3):
        choices = model.mutator.sample_choices(rng)
        static = SubnetModel(classifier(**cfg), dict(choices))
        expected = brute_force_bitops(static, (1, 3, 16, 16))
        assert est.cost(choices) == dict(bitops=expected)
        assert count_bitops(model.architecture, model.mutator, choices,
                            (1, 3, 16, 16)) == expected
    lo, hi = est.bounds()['bitops']
    space = model.mutator.search_space()
    assert lo == est.cost({k: min(v['choices'])
                           for k, v in space.items()})['bitops']
    assert hi == est.cost({k: max(v['choices'])
                           for k, v in space.items()})['bitops']
    assert est.in_units(dict(bitops=2e9)) == dict(bitops=2.0)
    with pytest.raises(CostTableError, match='depend on the other bit'):
        est.candidate_cost(next(iter(space)), 4)
    with pytest.raises(CostTableError, match='decisions missing'):
        est.cost({})


def test_uniform_bits_scale_4_9_16_and_float_resnets_count_as_torchvision():
    model = supernet(depth=18, num_classes=1000)
    est = BitOpsEstimator().bind(model.architecture, model.mutator)
    keys = list(model.mutator.search_groups)
    searched = {
        b: est.cost({k: b
                     for k in keys})['bitops'] - est.fixed['bitops']
        for b in (2, 3, 4)
    }
    assert searched[2] * 9 == searched[3] * 4
    assert searched[2] * 16 == searched[4] * 4
    # body 3x3 + 1x1 shortcut MACs of ResNet-18 at 224x224, times 2 x 2
    rows = est.per_layer({k: 2 for k in keys})
    body_macs = sum(r[1] for r in rows if '.layers.' in r[0])
    assert searched[2] == body_macs * 4 == 6782189568
    # stem and fc at 8 x 8
    assert est.fixed['bitops'] == 64 * (118013952 + 512000)
    for depth, params, flops in ((18, 11689512, 1814073344), (34, 21797672,
                                                              3663761408)):
        float_net = MODELS.build(
            classifier(depth=depth, num_classes=1000, quantize=False))
        assert count_static(float_net) == dict(params=params, flops=flops)


def test_flops_and_params_tables_still_work_on_the_quantized_space():
    model = supernet(widen_factor=0.125, small_input=True)
    table = CostTable((1, 3, 16, 16),
                      cache=False).bind(model.architecture, model.mutator)
    choices = model.mutator.sample_choices(random.Random(1))
    static = SubnetModel(
        classifier(widen_factor=0.125, small_input=True), dict(choices))
    assert table.cost(choices) == count_static(static, (1, 3, 16, 16))
