"""Export of a trained quantized subnet: per-layer bit widths and integer
weights, and the integer model that runs from them.

Each :class:`QuantConv2d` / :class:`QuantLinear` becomes a record of its
weight and input bits, its integer weight codes (``uint8``, in
``[0, 2**w_bits)``) with ``scale`` and ``offset`` (weight = scale * code +
offset), its PACT clip and its bias. :func:`integer_model` rebuilds the
network with every such layer replaced by an :class:`IntegerLayer`, which
quantizes its input to integer codes and multiplies integers only
(exactly, in float64); what stays float (BN, ReLU, pooling, the residual
sums, an unquantized stem input) is the same as in the fake-quantized
model.
"""
import copy
from typing import Any, Dict, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmnas.utils import UserError
from .mutables import OneShotMutableValue
from .ops.quantization import QuantConv2d, QuantLinear, pact_codes

EXPORT_FORMAT = 'mmnas-quantized-subnet'


def quant_layers(model: nn.Module) -> Dict[str, nn.Module]:
    return {
        name: m
        for name, m in model.named_modules()
        if isinstance(m, (QuantConv2d, QuantLinear))
    }


@torch.no_grad()
def export_quantized(model: nn.Module) -> dict:
    """The integer form of a static quantized subnet (no mutables left):
    ``{'format', 'layers': {name: record}, 'float_state': the state of
    everything else}``."""
    layers = {}
    for name, m in quant_layers(model).items():
        if isinstance(m.w_quant, OneShotMutableValue):
            raise UserError(f'{name!r} still searches its bit widths: export '
                            'a subnet (a SubnetModel config), not a supernet.')
        if m.w_quant.full_precision:
            raise UserError(f'{name!r} keeps full-precision weights, which '
                            'have no integer form; export subnets whose '
                            'layers are all quantized.')
        code, scale, offset = m.w_quant.codes(m.weight)
        record = dict(
            w_bits=m.w_bits,
            a_bits=m.a_bits,
            code=code,
            scale=scale,
            offset=offset,
            bias=None if m.bias is None else m.bias.detach().clone())
        if m.a_quant is not None and not m.a_quant.full_precision:
            record['alpha'] = m.a_quant.alpha.item()
        layers[name] = record
    float_state = {
        k: v
        for k, v in model.state_dict().items()
        if not any(k.startswith(n + '.') for n in layers)
    }
    return dict(format=EXPORT_FORMAT, layers=layers, float_state=float_state)


class IntegerLayer(nn.Module):
    """A conv or linear layer run from integer weight codes: ``y = step *
    (scale * (P * Q) + offset * (P * 1)) + bias`` with ``P`` the input's
    integer codes (or the float input where it is not quantized), ``Q``
    the weight codes and ``*`` the conv / matrix product."""

    def __init__(self, layer: nn.Module, record: dict) -> None:
        super().__init__()
        self.record = record
        self.conv = isinstance(layer, nn.Conv2d)
        if self.conv:
            self.geometry = dict(
                stride=layer.stride,
                padding=layer.padding,
                dilation=layer.dilation,
                groups=layer.groups)
        self.register_buffer('code', record['code'])

    def _apply_weight(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        if self.conv:
            return F.conv2d(x, w, None, **self.geometry)
        return F.linear(x, w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rec = self.record
        step = 1.0
        p = x.double()
        if 'alpha' in rec:
            code, step = pact_codes(
                torch.clamp(x, 0, rec['alpha']), x.new_tensor(rec['alpha']),
                rec['a_bits'])
            p, step = code.double(), step.item()
        q = self.code.double()
        y = rec['scale'] * self._apply_weight(
            p, q) + rec['offset'] * self._apply_weight(p, torch.ones_like(q))
        y = (step * y).to(x.dtype)
        if rec['bias'] is not None:
            shape = (1, -1, 1, 1) if self.conv else (1, -1)
            y = y + rec['bias'].view(shape)
        return y


@torch.no_grad()
def layer_errors(model: nn.Module, int_model: nn.Module,
                 inputs: torch.Tensor) -> Tuple[Dict[str, float], Any]:
    """Per quantized layer of ``model``, the largest difference between
    its output and that of ``int_model``'s integer layer given the same
    input (the one it gets in ``model`` on ``inputs``), relative to the
    output's largest magnitude; and ``model``'s output on ``inputs``
    (``mode='tensor'``) from the same forward pass.

    This checks the export layer by layer: an integer layer computes its
    codes as the fake-quantized one does, so only float rounding of the
    product separates them (about 1e-6 relative). Whole-network outputs
    can differ by more: a value within rounding of a quantization step
    boundary falls on the other side in the next layer, and the step (a
    third of the clip at 2 bits) moves the logits visibly.
    """
    errors, handles = {}, []
    for name, layer in quant_layers(model).items():
        integer = int_model.get_submodule(name)

        def hook(m, args, out, name=name, integer=integer):
            diff = (integer(args[0]) - out).abs().max()
            err = float(diff / out.abs().max().clamp_min(1e-12))
            errors[name] = max(errors.get(name, 0.), err)

        handles.append(layer.register_forward_hook(hook))
    try:
        out = model(inputs, mode='tensor')
    finally:
        for h in handles:
            h.remove()
    return errors, out


def integer_model(model: nn.Module, exported: dict) -> nn.Module:
    """A copy of ``model`` (the static subnet the export came from, or one
    built from the same config) running the exported integer layers and
    float state."""
    if exported.get('format') != EXPORT_FORMAT:
        raise UserError('not an export of tools/model_converters/'
                        'export_quant_subnet.py')
    net = copy.deepcopy(model)
    layers = quant_layers(net)
    if set(layers) != set(exported['layers']):
        raise UserError('the export holds other layers than this model: '
                        'build the model from the config it was exported '
                        'with.')
    for name, layer in layers.items():
        parent, _, child = name.rpartition('.')
        setattr(
            net.get_submodule(parent) if parent else net, child,
            IntegerLayer(layer, exported['layers'][name]))
    own = {
        k: v
        for k, v in net.state_dict().items() if not k.endswith('.code')
    }
    missing = set(own) ^ set(exported['float_state'])
    if missing:
        raise UserError(f'the export does not fit this model (e.g. '
                        f'{sorted(missing)[:3]}).')
    net.load_state_dict(
        dict(exported['float_state'],
             **{f'{n}.code': r['code']
                for n, r in exported['layers'].items()}),
        strict=True)
    return net.eval()
