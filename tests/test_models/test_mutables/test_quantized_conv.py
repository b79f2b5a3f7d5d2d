"""Quantizers (DoReFa weights, PACT activations) and quantized convs whose
bit widths are mutables over one shared float weight."""
import pytest
import torch

from mmnas import register_all_modules
from mmnas.models import NasMutator, OneShotMutableValue, to_static
from mmnas.models.ops.quantization import (BitSwitchBN, DoReFaQuantizer,
                                           PACTQuantizer, QuantConv2d)
from mmnas.utils import UserError

register_all_modules()


@pytest.mark.parametrize('bits', [1, 2, 3, 4])
def test_dorefa_levels_codes_and_straight_through_gradient(bits):
    torch.manual_seed(0)
    w = torch.randn(8, 4, 3, 3, requires_grad=True)
    q = DoReFaQuantizer(bits)
    out = q(w)
    assert out.unique().numel() <= 2**bits
    code, scale, offset = q.codes(w)
    assert code.dtype == torch.uint8 and int(code.max()) < 2**bits
    assert torch.allclose(scale * code.float() + offset, out, atol=1e-6)
    if bits > 1:  # DoReFa maps onto [-1, 1] with both ends used
        assert out.min() == -1 and out.max() == 1
    # straight-through: the rounding passes the gradient of what it rounds
    out.sum().backward()
    assert w.grad is not None and w.grad.abs().sum() > 0
    if bits == 1:
        assert torch.allclose(w.grad, torch.full_like(w,
                                                      w.abs().mean().item()))


@pytest.mark.parametrize('bits', [2, 4, 8])
def test_dorefa_keep_scale_keeps_the_weights_magnitude(bits):
    torch.manual_seed(0)
    w = (0.01 * torch.randn(10, 128)).requires_grad_()
    q = DoReFaQuantizer(bits, keep_scale=True)
    out = q(w)
    m = torch.tanh(w).abs().max()
    # the same levels as plain DoReFa, stretched to [-m, m]
    assert torch.allclose(out, DoReFaQuantizer(bits)(w) * m)
    assert torch.isclose(out.abs().max(), m)
    code, scale, offset = q.codes(w)
    assert torch.allclose(scale * code.float() + offset, out, atol=1e-7)
    out.sum().backward()
    assert w.grad.abs().sum() > 0


def test_quant_head_starts_at_chance_loss():
    """No BN follows the classifier: its quantized weight keeps the
    initialisation's scale, so the first loss is about ln 10."""
    from mmnas.registry import MODELS
    torch.manual_seed(0)
    head = MODELS.build(
        dict(type='QuantLinearClsHead', num_classes=10, in_channels=128))
    head.init_weights()
    logits = head.fc(torch.rand(64, 128))
    assert logits.std() < 0.2
    assert head.fc.w_quant.keep_scale


def test_pact_clip_rounding_and_gradients():
    q = PACTQuantizer(bits=2, init_alpha=3.0)
    x = torch.tensor([-1., 0.4, 1.2, 2.9, 5.0], requires_grad=True)
    out = q(x)
    # clip to [0, 3], steps of 3 / (2**2 - 1) = 1
    assert torch.allclose(out, torch.tensor([0., 0., 1., 3., 3.]))
    out.sum().backward()
    # straight-through inside the clip range, zero outside
    assert torch.equal(x.grad, torch.tensor([0., 1., 1., 1., 0.]))
    # the clip gets gradient 1 from every clipped input (PACT)
    assert q.alpha.grad.item() == 1.0
    code, step = q.codes(x)
    assert torch.allclose(code * step, out)


def test_pact_per_bit_clip_is_switched_and_fixed():
    q = PACTQuantizer(bits=4, per_bit=True, bit_choices=[2, 4])
    assert sorted(q.alphas) == ['2', '4'] and q.inactive_numel() == 1
    q.alphas['2'].data.fill_(1.0)
    q.bits = 2
    assert q.alpha.item() == 1.0
    q.fix(2)
    assert list(q.alphas) == ['2'] and q.inactive_numel() == 0


def test_bit_switching_shares_the_float_weight():
    torch.manual_seed(0)
    conv = QuantConv2d(4, 6, 3, padding=1)
    assert isinstance(conv.w_quant, OneShotMutableValue)
    assert [n for n, _ in conv.named_parameters()
            ] == ['weight', 'bias', 'a_quant.module.alphas.shared']
    x = torch.rand(2, 4, 8, 8) * 3
    outs = {}
    for bits in (1, 2, 3, 4):
        conv.w_quant.current_choice = bits
        conv.a_quant.current_choice = bits
        assert (conv.w_bits, conv.a_bits) == (bits, bits)
        outs[bits] = conv(x)
        # same float weight, fake-quantized at this width on the fly
        expected = torch.nn.functional.conv2d(
            PACTQuantizer(bits)(x),
            DoReFaQuantizer(bits)(conv.weight),
            conv.bias,
            padding=1)
        assert torch.allclose(outs[bits], expected, atol=1e-5)
    assert not torch.allclose(outs[2], outs[4])
    # training one bit width moves the weight every width uses
    conv.w_quant.current_choice = 2
    before = conv.weight.detach().clone()
    conv(x).sum().backward()
    with torch.no_grad():
        conv.weight -= conv.weight.grad
    assert not torch.equal(conv.weight, before)


def test_bit_widths_outside_the_space_are_refused():
    with pytest.raises(UserError, match=r'bit widths \[9, 0\] are outside'):
        QuantConv2d(2, 2, 1, w_bits=(2, 9, 0))
    conv = QuantConv2d(2, 2, 1)
    with pytest.raises(ValueError, match='unknown choice 8'):
        conv.a_quant.current_choice = 8


def test_per_bit_bn_joins_the_weight_bit_decision_and_exports_plain():
    from mmcv.cnn import ConvModule
    block = torch.nn.Sequential(
        ConvModule(
            3,
            4,
            3,
            conv_cfg=dict(type=QuantConv2d, w_bits=(2, 4), a_bits=(2, 4)),
            norm_cfg=dict(type=BitSwitchBN, bit_choices=(2, 4))))
    mutator = NasMutator()
    mutator.prepare_from_supernet(block)
    assert mutator.group_members('0.conv.w_quant') == [
        '0.conv.w_quant', '0.bn'
    ]
    mutator.set_choices({'0.conv.w_quant': 2, '0.conv.a_quant': 4})
    assert block[0].bn.current_choice == 2
    mutator.fix_choices({'0.conv.w_quant': 2, '0.conv.a_quant': 4})
    to_static(block)
    assert type(block[0].bn) is torch.nn.BatchNorm2d
    assert isinstance(block[0].conv.w_quant, DoReFaQuantizer)
    assert block[0].conv.w_quant.bits == 2


def test_channel_search_on_quantized_convs_keeps_the_quantizers():
    import copy
    import random

    from mmnas.registry import MODELS
    arch = MODELS.build(
        dict(
            type='SearchableQuantResNet',
            widen_factor=0.125,
            small_input=True,
            channel_scales=(0.5, 1.0)))
    mutator = NasMutator()
    mutator.prepare_from_supernet(arch)
    assert mutator.choices_of('layers.0.0.channel') == [0.5, 1.0]
    choices = dict(
        mutator.sample_choices(random.Random(3)),
        **{'layers.1.0.channel': 0.5})
    mutator.set_choices(choices)
    arch.eval()
    x = torch.rand(2, 3, 16, 16)
    expected = arch(x)[0]
    static = copy.deepcopy(arch)
    fixer = NasMutator()
    fixer.prepare_from_supernet(static)
    fixer.fix_choices(choices)
    to_static(static)
    conv = static.layers[1][0].residual[0].conv
    assert isinstance(conv, QuantConv2d) and conv.weight.shape[0] == 8
    bits = choices['layers.1.0.op.residual.0.conv.w_quant']
    assert conv.w_quant.bits == bits
    assert torch.allclose(static(x)[0], expected, atol=1e-5)
