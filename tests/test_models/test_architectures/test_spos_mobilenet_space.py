"""The SPOS MobileNet (ProxylessNAS-GPU) search space and its AngleNAS
subnet."""
import os.path as osp

import pytest
import torch
from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import count_static, count_subnet
from mmnas.models import SearchSpaceError
from mmnas.models.ops import IdentityOrProjection, MBBlock
from mmnas.registry import MODELS
from mmnas.structures import dump_subnet, load_subnet

register_all_modules()

SPOS = osp.join(ROOT, 'configs/nas/spos')
DIGITS_CFG = osp.join(SPOS, 'spos_mobilenet_supernet_1xb64_digits.py')
SUBNET_CFG = osp.join(SPOS, 'spos_mobilenet_subnet_8xb128_in1k.py')
ANGLENAS = osp.join(SPOS, 'SPOS_MOBILENET_490M_FROM_ANGELNAS.yaml')
STAGE_CHOICES = [
    'mb_k3e3', 'mb_k5e3', 'mb_k7e3', 'mb_k3e6', 'mb_k5e6', 'mb_k7e6',
    'identity'
]
# published_counts.md: MMRazor's own count of the AngleNAS subnet
ANGLENAS_PARAMS = 5_936_776
ANGLENAS_MMRAZOR_MFLOPS = 490.136  # also counts BN and activations


@pytest.fixture(scope='module')
def digits_spos():
    return MODELS.build(Config.fromfile(DIGITS_CFG).model)


def test_space_layout_matches_the_proxyless_gpu_table(digits_spos):
    space = digits_spos.mutator.search_space()
    assert len(space) == 22  # 1 fixed-choice block + 21 x 7 choices
    assert space['backbone.layers.0.0']['choices'] == ['mb_k3e1']
    for key, decision in list(space.items())[1:]:
        assert decision['choices'] == STAGE_CHOICES, key
    backbone = digits_spos.architecture.backbone
    strides = [
        stage[0].candidates[stage[0].choices[0]].stride
        for stage in backbone.layers
    ]
    assert strides == [1, 2, 2, 2, 1, 2, 1]
    assert backbone.conv1.conv.stride == (1, 1)  # small_input


@pytest.mark.parametrize('choice', STAGE_CHOICES)
def test_every_candidate_runs_in_every_slot(digits_spos, choice):
    mutator = digits_spos.mutator
    choices = {
        k: (choice
            if choice in mutator.choices_of(k) else mutator.choices_of(k)[0])
        for k in mutator.search_groups
    }
    mutator.set_choices(choices)
    digits_spos.eval()
    with torch.no_grad():
        out = digits_spos(torch.randn(2, 3, 32, 32), mode='tensor')
    assert out.shape == (2, 10)


def test_candidate_ops_follow_the_mbconv_layout():
    block = MBBlock(24, 32, 2, kernel_size=7, expand_ratio=6)
    assert block.depthwise_conv.conv.kernel_size == (7, 7)
    assert block.depthwise_conv.conv.groups == 144
    assert not block.with_res_shortcut
    first = MBBlock(40, 24, 1, kernel_size=3, expand_ratio=1)
    assert first.expand_conv is None  # e1: no expand conv
    assert MBBlock(32, 32, 1, expand_ratio=3).with_res_shortcut
    assert IdentityOrProjection(32, 32, 1).downsample is None
    assert IdentityOrProjection(24, 32, 2).downsample.conv.stride == (2, 2)


def test_anglenas_subnet_counts_as_published():
    """Exactly MMRazor's parameter count; conv + linear MACs slightly under
    MMRazor's 490.136M, which also counts BN and activations."""
    model = MODELS.build(Config.fromfile(SUBNET_CFG).model)
    cost = count_static(model, (1, 3, 224, 224))
    assert cost['params'] == ANGLENAS_PARAMS
    assert 0.95 * ANGLENAS_MMRAZOR_MFLOPS * 1e6 < cost['flops'] \
        < ANGLENAS_MMRAZOR_MFLOPS * 1e6
    assert not any('Mutable' in type(m).__name__ for m in model.modules())


def test_anglenas_subnet_on_the_supernet_equals_the_static_subnet(digits_spos):
    choices = load_subnet(ANGLENAS)
    sub = count_subnet(digits_spos.architecture, digits_spos.mutator, choices,
                       (1, 3, 32, 32))
    static = MODELS.build(
        dict(
            type='SubnetModel',
            architecture=Config.fromfile(DIGITS_CFG).supernet,
            subnet=ANGLENAS))
    assert sub == count_static(static, (1, 3, 32, 32))


def test_subnet_file_round_trip_and_bad_entries(tmp_path, digits_spos):
    mutator = digits_spos.mutator
    choices = load_subnet(ANGLENAS)
    path = dump_subnet(choices, str(tmp_path / 'anglenas.yaml'))
    assert load_subnet(path) == choices
    bad = dict(choices, **{'backbone.layers.2.1': 'mb_k9e3'})
    with pytest.raises(SearchSpaceError, match=r"layers\.2\.1.*mb_k9e3"):
        mutator.validate_choices(bad)
    bad = dict(choices, **{'backbone.layers.0.0': 'identity'})
    with pytest.raises(SearchSpaceError, match=r'layers\.0\.0'):
        mutator.validate_choices(bad)


def test_spos_step_trains_a_sampled_path(digits_spos):
    digits_spos.train()
    inputs = torch.randn(4, 3, 32, 32)
    from mmcls.structures import ClsDataSample
    samples = [ClsDataSample().set_gt_label(i) for i in range(4)]
    losses = digits_spos(inputs, samples, mode='loss')
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    loss.backward()
    used = [p for p in digits_spos.parameters() if p.grad is not None]
    assert used and torch.isfinite(loss)
