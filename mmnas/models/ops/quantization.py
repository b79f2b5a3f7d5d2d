"""Quantization-aware layers of the SPOS mixed-precision search.

Weights are quantized DoReFa-style (Zhou et al., 2016), activations with
PACT (Choi et al., 2018, learnable clip ``alpha``); both round with
straight-through gradients. A conv keeps one float weight tensor and
fake-quantizes it (and its input) at the current bit widths on every
forward, so all bit widths of a layer share its weights. A bit width of
32 or more is full precision (no quantization).

A searched bit width is a :class:`OneShotMutableValue` around the
quantizer; a fixed one is the quantizer itself. Every quantized weight is
``scale * code + offset`` with an integer ``code`` in ``[0, 2**bits)``
(:meth:`DoReFaQuantizer.codes`), which is what the export stores.
"""
import copy
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmnas.registry import MODELS
from mmnas.utils import UserError
from ..mutables.base import BaseMutable
from ..mutables.one_shot_value import OneShotMutableValue

FULL_PRECISION = 32
Bits = Union[int, Sequence[int]]


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """``round(x)`` with the gradient of the identity."""
    return x + (x.round() - x).detach()


def num_steps(bits: int) -> int:
    """The steps between the ``2**bits`` levels of a ``bits``-bit grid."""
    return 2**bits - 1


def pact_codes(y: torch.Tensor, alpha: torch.Tensor,
               bits: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """The integer codes of an input ``y`` already clipped to ``[0,
    alpha]``, and their step, computed in ``y``'s precision: what PACT
    training rounds, so an export that computes them here agrees with it
    at every step boundary."""
    step = alpha / num_steps(bits)
    return (y / step).round(), step


def check_bits(bits: Sequence[int], where: str) -> List[int]:
    """``bits`` as a list, or a UserError naming the valid bit widths."""
    bits = list(bits)
    bad = [
        b for b in bits
        if not isinstance(b, int) or not 1 <= b <= 8 and b != FULL_PRECISION
    ]
    if not bits or bad:
        raise UserError(
            f'{where}: bit widths {bad or bits} are outside the space; a '
            'bit width is an int in 1..8, or 32 for full precision. Fix the '
            'bit choices in the config.')
    return bits


class Quantizer(nn.Module):
    """Fake-quantizes a tensor to ``bits`` (an attribute a mutable may
    switch)."""

    def __init__(self, bits: int = 4) -> None:
        super().__init__()
        self.bits = bits

    @property
    def full_precision(self) -> bool:
        return self.bits >= FULL_PRECISION

    def extra_repr(self) -> str:
        return f'bits={self.bits}'


@MODELS.register_module()
class DoReFaQuantizer(Quantizer):
    """DoReFa weight quantization: ``tanh`` squashed to [0, 1] by the
    tensor's largest magnitude, rounded to ``2**bits - 1`` steps, mapped
    to [-1, 1]; 1 bit is ``sign(w) * mean|w|``.

    Args:
        bits (int): Bit width.
        keep_scale (bool): Map to ``[-m, m]`` instead of [-1, 1], ``m`` the
            largest ``|tanh(w)|``, so the quantized weight keeps the float
            weight's magnitude. A layer without a BN after it (the
            classifier) needs it: at [-1, 1] its outputs are as large as
            if every weight were near 1, whatever the initialisation.
    """

    def __init__(self, bits: int = 4, keep_scale: bool = False) -> None:
        super().__init__(bits)
        self.keep_scale = keep_scale

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        if self.full_precision:
            return w
        if self.bits == 1:
            scale = w.abs().mean().detach()
            sign = torch.where(w >= 0, 1., -1.).to(w)
            return (w + (sign - w).detach()) * scale
        levels, m = self._levels(w)
        q = round_ste(levels) * (2 / num_steps(self.bits)) - 1
        return q * m.detach() if self.keep_scale else q

    def _levels(self, w: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``tanh(w)`` stretched onto ``[0, 2**bits - 1]`` (before
        rounding), and the largest ``|tanh(w)|`` it was stretched from."""
        t = torch.tanh(w)
        m = t.abs().max()
        return (t / (2 * m) + 0.5) * num_steps(self.bits), m

    @torch.no_grad()
    def codes(self, w: torch.Tensor) -> Tuple[torch.Tensor, float, float]:
        """``(code, scale, offset)`` with ``forward(w) = scale * code +
        offset`` and ``code`` an integer in ``[0, 2**bits)``."""
        if self.full_precision:
            raise ValueError('a full-precision weight has no integer codes')
        if self.bits == 1:
            scale = w.abs().mean().item()
            return (w >= 0).to(torch.uint8), 2 * scale, -scale
        levels, m = self._levels(w)
        k = m.item() if self.keep_scale else 1.
        return levels.round().to(torch.uint8), 2 * k / num_steps(self.bits), -k


@MODELS.register_module()
class PACTQuantizer(Quantizer):
    """PACT activation quantization: clip to ``[0, alpha]`` with a
    learnable ``alpha`` (gradient 1 where the input is clipped), then
    round to ``2**bits - 1`` steps with a straight-through gradient.

    Args:
        bits (int): Bit width.
        init_alpha (float): Initial clip.
        per_bit (bool): One ``alpha`` per bit width of ``bit_choices``
            (else one shared by all).
        bit_choices (Sequence[int], optional): The bit widths a searched
            layer switches between (needed with ``per_bit``).
    """

    def __init__(self,
                 bits: int = 4,
                 init_alpha: float = 3.0,
                 per_bit: bool = False,
                 bit_choices: Optional[Sequence[int]] = None) -> None:
        super().__init__(bits)
        keys = [str(b) for b in bit_choices or [bits]] if per_bit \
            else ['shared']
        self.alphas = nn.ParameterDict(
            {k: nn.Parameter(torch.tensor(float(init_alpha)))
             for k in keys})
        self.per_bit = per_bit

    @property
    def alpha(self) -> torch.Tensor:
        return self.alphas[str(self.bits) if self.per_bit else 'shared']

    def fix(self, bits: int) -> None:
        """Keep only the clip of ``bits``."""
        self.bits = bits
        if self.per_bit:
            for key in list(self.alphas):
                if key != str(bits):
                    del self.alphas[key]

    def inactive_numel(self) -> int:
        return len(self.alphas) - 1

    def clip(self, x: torch.Tensor) -> torch.Tensor:
        return torch.minimum(F.relu(x), self.alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.full_precision:
            return x
        y = self.clip(x)
        code, step = pact_codes(y, self.alpha.detach(), self.bits)
        return y + (code * step - y).detach()

    @torch.no_grad()
    def codes(self, x: torch.Tensor) -> Tuple[torch.Tensor, float]:
        """``(code, step)`` with ``forward(x) = step * code``."""
        code, step = pact_codes(self.clip(x), self.alpha.detach(), self.bits)
        return code, step.item()


def _quantizer(cfg: dict, bits: Bits, where: str,
               **kwargs) -> Tuple[nn.Module, int]:
    """A quantizer at a fixed bit width, or a mutable over several."""
    if isinstance(bits, int):
        check_bits([bits], where)
        return MODELS.build(dict(cfg, bits=bits)), bits
    bits = check_bits(bits, where)
    if len(bits) == 1:
        return MODELS.build(dict(cfg, bits=bits[0])), bits[0]
    if cfg.get('per_bit'):
        kwargs['bit_choices'] = bits
    quantizer = MODELS.build(dict(cfg, bits=bits[-1], **kwargs))
    return OneShotMutableValue(quantizer, 'bits', bits), bits[-1]


class _QuantLayer:
    """What quantized convs and linears share: the quantizers and the
    current bit widths."""

    def _build_quantizers(self, w_bits: Bits, a_bits: Bits, w_quantizer: dict,
                          a_quantizer: Optional[dict]) -> None:
        name = type(self).__name__
        self.w_quant, _ = _quantizer(w_quantizer, w_bits, f'{name} w_bits')
        if a_quantizer is None:
            if not isinstance(a_bits, int):
                raise UserError(
                    f'{name}: without an activation quantizer the input '
                    'bit width is fixed (the 8-bit image of a stem conv); '
                    f'give a_bits as one int, not {a_bits}.')
            check_bits([a_bits], f'{name} a_bits')
            self.a_quant, self.input_bits = None, a_bits
        else:
            self.a_quant, _ = _quantizer(a_quantizer, a_bits, f'{name} a_bits')

    @property
    def w_bits(self) -> int:
        return _bits_of(self.w_quant)

    @property
    def a_bits(self) -> int:
        """The input's bit width (``input_bits`` for an unquantized input,
        which the layer takes as it comes)."""
        if self.a_quant is None:
            return self.input_bits
        return _bits_of(self.a_quant)

    def quantized(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """The fake-quantized input and weight."""
        if self.a_quant is not None:
            x = self.a_quant(x)
        return x, self.w_quant(self.weight)


def _bits_of(quant: nn.Module) -> int:
    return quant.current_choice if isinstance(quant, OneShotMutableValue) \
        else quant.bits


@MODELS.register_module()
class QuantConv2d(_QuantLayer, nn.Conv2d):
    """``nn.Conv2d`` on fake-quantized inputs and weights.

    Usable as a ``conv_cfg`` of mmcv's ``ConvModule`` (the extra keyword
    arguments below go into the config).

    Args:
        w_bits (int | Sequence[int]): Weight bit width; several make it a
            searched decision (``<conv>.w_quant``).
        a_bits (int | Sequence[int]): Input bit width, likewise
            (``<conv>.a_quant``).
        w_quantizer (dict): Weight quantizer config.
        a_quantizer (dict, optional): Input quantizer config; None keeps
            the input as it comes and counts it as ``a_bits`` (one int).
    """

    def __init__(self,
                 *args,
                 w_bits: Bits = (1, 2, 3, 4),
                 a_bits: Bits = (1, 2, 3, 4),
                 w_quantizer: dict = dict(type='DoReFaQuantizer'),
                 a_quantizer: Optional[dict] = dict(type='PACTQuantizer'),
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._build_quantizers(w_bits, a_bits, w_quantizer, a_quantizer)

    # a channel search runs the leading ``out_width`` filters (None: all)
    # on the channels it receives, quantizing the slice it uses
    sliceable = True
    out_width: Optional[int] = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.out_width or self.out_channels
        weight, bias = self.weight, self.bias
        if (out, x.shape[1]) != tuple(weight.shape[:2]):
            if self.groups != 1:
                raise ValueError('QuantConv2d slices ungrouped convs only')
            weight = weight[:out, :x.shape[1]]
            bias = None if bias is None else bias[:out]
        if self.a_quant is not None:
            x = self.a_quant(x)
        return self._conv_forward(x, self.w_quant(weight), bias)

    @torch.no_grad()
    def narrowed(self, in_width: int, out_width: int) -> 'QuantConv2d':
        """This conv cut to its leading channels, with the same quantizers
        (a fixed channel choice)."""
        new = copy.copy(self)
        new._parameters = dict(self._parameters)
        new._modules = dict(self._modules)
        new.weight = nn.Parameter(self.weight[:out_width, :in_width].clone(),
                                  self.weight.requires_grad)
        if self.bias is not None:
            new.bias = nn.Parameter(self.bias[:out_width].clone(),
                                    self.bias.requires_grad)
        new.in_channels, new.out_channels, new.out_width = \
            in_width, out_width, None
        return new


@MODELS.register_module()
class QuantLinear(_QuantLayer, nn.Linear):
    """``nn.Linear`` on fake-quantized inputs and weights (arguments as
    :class:`QuantConv2d`)."""

    def __init__(self,
                 *args,
                 w_bits: Bits = 8,
                 a_bits: Bits = 8,
                 w_quantizer: dict = dict(type='DoReFaQuantizer'),
                 a_quantizer: Optional[dict] = dict(type='PACTQuantizer'),
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._build_quantizers(w_bits, a_bits, w_quantizer, a_quantizer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, w = self.quantized(x)
        return F.linear(x, w, self.bias)


@MODELS.register_module()
class BitSwitchBN(BaseMutable):
    """One ``BatchNorm2d`` per weight bit width of the conv before it, for
    spaces that keep BN per bit width. It joins that conv's weight-bit
    decision: as the ``norm_cfg`` of a ``ConvModule`` (whose conv is
    ``conv``), its decision is ``<ConvModule>.conv.w_quant``.

    Args:
        num_features (int): Channels.
        bit_choices (Sequence[int]): The conv's weight bit widths.
    """
    _abbr_ = 'bn'

    def __init__(self,
                 num_features: int,
                 bit_choices: Sequence[int],
                 alias: Optional[str] = None,
                 **bn_kwargs) -> None:
        super().__init__(alias=alias)
        self._choices = list(bit_choices)
        self.bns = nn.ModuleDict({
            str(b): nn.BatchNorm2d(num_features, **bn_kwargs)
            for b in self._choices
        })
        self._current = self._choices[-1]

    @property
    def choices(self) -> List[int]:
        return list(self._choices)

    @property
    def current_choice(self) -> int:
        return self._current

    @current_choice.setter
    def current_choice(self, choice: int) -> None:
        self.check_switch(choice)
        self._current = choice

    def decision_key(self, name: str, owner: Optional[str]) -> str:
        return self.alias or name.rpartition('.')[0] + '.conv.w_quant'

    def active_param_count(self, count) -> int:
        return count(self.bns[str(self._current)])

    def fix_chosen(self, chosen: int) -> None:
        self.current_choice = chosen
        for key in list(self.bns):
            if key != str(chosen):
                del self.bns[key]
        self._choices = [chosen]
        self._is_fixed = True

    def export(self) -> nn.Module:
        return self.bns[str(self._current)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bns[str(self._current)](x)
