"""BitOps: multiply-adds x weight bits x input bits, summed over the convs
and linear layers (the cost of mixed-precision quantization searches).

A layer's MACs are ``Cout * Hout * Wout * Cin / groups * kh * kw`` for a
conv and ``out * in`` for a linear layer (as fvcore counts them, batch 1);
its bits are the current ones of a :class:`QuantConv2d` /
:class:`QuantLinear`, and 32 x 32 for a float layer. The cost is a sum of
products of decisions (a layer's two bit widths, and the hidden widths a
channel search gives its input and output), not a sum over decisions, so
the estimator computes ``cost(choices)`` from per-layer MACs and the
layers' decisions rather than from per-candidate entries.
"""
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import torch
import torch.nn as nn

from mmnas.models.mutables import OneShotMutableChannel, OneShotMutableValue
from mmnas.models.ops.quantization import FULL_PRECISION
from mmnas.registry import TASK_UTILS
from .base import BaseEstimator
from .cost_table import CostTableError
from .counters import chosen, dummy_input, eval_no_grad, traceable, unwrap


def layer_macs(module: nn.Module, x: torch.Tensor,
               output: torch.Tensor) -> int:
    """Multiply-adds of one call of a conv or linear layer on ``x`` (a
    channel search may feed a conv fewer channels than it has)."""
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        per_group = x.shape[1] if module.groups == 1 else \
            module.in_channels // module.groups
        return output.numel() * per_group * kh * kw
    return output.numel() * x.shape[-1]


def layer_bits(module: nn.Module) -> Tuple[int, int]:
    """``(weight bits, input bits)`` of a layer now."""
    if hasattr(module, 'w_bits'):
        return module.w_bits, module.a_bits
    return FULL_PRECISION, FULL_PRECISION


def record_macs(net: nn.Module,
                input_shape: Sequence[int]) -> 'OrderedDict[str, int]':
    """MACs of every conv and linear layer of ``net`` in one forward pass
    at ``input_shape`` with the current choices (eval mode, no grad)."""
    macs: 'OrderedDict[str, int]' = OrderedDict()
    hooks = []
    for name, m in net.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):

            def hook(mod, args, out, name=name):
                macs[name] = macs.get(name, 0) + layer_macs(mod, args[0], out)

            hooks.append(m.register_forward_hook(hook))
    try:
        with eval_no_grad(net):
            traceable(net)(dummy_input(net, input_shape))
    finally:
        for h in hooks:
            h.remove()
    return macs


def count_bitops(
    architecture: nn.Module,
    mutator=None,
    choices: Mapping[str, Any] = None,
    input_shape: Sequence[int] = (1, 3, 224, 224)
) -> int:
    """BitOps of a static network, or of the subnet ``choices`` of a
    supernet: the layers' MACs times their current bits, in one forward
    pass."""
    net = unwrap(architecture)
    if mutator is None:
        macs = record_macs(net, input_shape)
        return sum(n * _product(net.get_submodule(k)) for k, n in macs.items())
    with chosen(mutator, choices):
        return count_bitops(net, input_shape=input_shape)


def _product(module: nn.Module) -> int:
    w, a = layer_bits(module)
    return w * a


@TASK_UTILS.register_module()
class BitOpsEstimator(BaseEstimator):
    """BitOps of any subnet of a quantization space (metric ``bitops``,
    constraints in G).

    ``bind`` records each layer's MACs in one forward pass at the widest
    choices and, per layer, the decision (or fixed number) its weight and
    input bits come from and the channel decision (if any) that narrows
    its input or output. A conv's MACs are proportional to its input and
    output channels, so ``cost`` is exact for every subnet; ``bind``
    checks the scaling on the narrowest subnet and refuses a space where
    another decision changes a layer's MACs. ``bounds`` is exact: BitOps
    grow with every bit width and width, so the cheapest and dearest
    subnets take the smallest and largest choice of every decision.

    Args:
        input_shape (Sequence[int]): Input shape the costs are for.
    """
    units = dict(bitops=1e9)

    def __init__(self, input_shape: Sequence[int] = (1, 3, 224, 224)) -> None:
        self.input_shape = tuple(input_shape)
        # (name, MACs at full width, weight bits, input bits, channel
        # decision or None, its mutable, input narrows, output narrows)
        self._layers: List[tuple] = []
        self._space: Dict[str, List[Any]] = {}

    def bind(self, architecture: nn.Module, mutator) -> 'BitOpsEstimator':
        net = unwrap(architecture)
        decision_of = {
            id(m): key
            for key, members in mutator.search_groups.items() for m in members
        }
        self._space = OrderedDict(
            (k, mutator.choices_of(k)) for k in mutator.search_groups)
        lowest = {k: min(v) for k, v in self._space.items()}
        highest = {k: max(v) for k, v in self._space.items()}
        with chosen(mutator, highest):
            macs = record_macs(net, self.input_shape)
        narrowed = {}  # conv name -> (decision, mutable, input, output)
        names = {id(m): n for n, m in net.named_modules()}
        for mutable in mutator.mutables:
            if isinstance(mutable, OneShotMutableChannel):
                for module, into, out in mutable._layers:
                    narrowed[names[id(
                        module.conv)]] = (decision_of[id(mutable)], mutable,
                                          into, out)
        self._layers = []
        for name, n in macs.items():
            m = net.get_submodule(name)
            sources = [FULL_PRECISION, FULL_PRECISION]
            if hasattr(m, 'w_quant'):
                sources = [
                    decision_of[id(q)]
                    if isinstance(q, OneShotMutableValue) else bits
                    for q, bits in zip((m.w_quant, m.a_quant), layer_bits(m))
                ]
            channel = narrowed.get(name, (None, None, False, False))
            self._layers.append((name, n, *sources, *channel))
        with chosen(mutator, lowest):
            found = record_macs(net, self.input_shape)
        expected = {r[0]: r[1] for r in self.per_layer(lowest)}
        if found != expected:
            raise CostTableError(
                'the MACs of some layer change with other decisions of this '
                'space than bit widths and hidden widths (e.g. an op '
                'choice): BitOpsEstimator counts quantization spaces only.')
        return self

    def per_layer(
            self,
            choices: Mapping[str,
                             Any]) -> List[Tuple[str, int, int, int, int]]:
        """``(layer, MACs, weight bits, input bits, BitOps)`` per layer."""
        self._check(choices)
        rows = []
        for name, macs, w, a, channel, mutable, into, out in self._layers:
            if channel is not None:
                full = mutable.width_of(max(mutable.choices))
                width = mutable.width_of(choices[channel])
                macs = macs * width**(into + out) // full**(into + out)
            wb = choices[w] if isinstance(w, str) else w
            ab = choices[a] if isinstance(a, str) else a
            rows.append((name, macs, wb, ab, macs * wb * ab))
        return rows

    def _check(self, choices: Mapping[str, Any]) -> None:
        if set(choices) != set(self._space) or any(
                v not in self._space[k] for k, v in choices.items()):
            bad = {
                k: v
                for k, v in choices.items()
                if k not in self._space or v not in self._space[k]
            }
            missing = [k for k in self._space if k not in choices]
            raise CostTableError(
                f'choices do not fit this BitOps count: {len(missing)} '
                f'decisions missing (e.g. {missing[:2]}), unknown entries '
                f'{dict(list(bad.items())[:3])}. Pass one valid choice per '
                'decision.')

    @property
    def fixed(self) -> Dict[str, int]:
        return dict(
            bitops=sum(r[1] * r[2] * r[3] for r in self._layers
                       if not isinstance(r[2], str)
                       and not isinstance(r[3], str) and r[4] is None))

    def candidate_cost(self, decision: str, choice: Any) -> Dict[str, int]:
        raise CostTableError(
            f'the BitOps of {decision!r} = {choice!r} depend on the other '
            'bit width of the same layer; use cost() or per_layer().')

    def cost(self, choices: Mapping[str, Any]) -> Dict[str, int]:
        return dict(bitops=sum(r[-1] for r in self.per_layer(choices)))

    def bounds(self) -> Dict[str, Tuple[int, int]]:
        lo = self.cost({k: min(v) for k, v in self._space.items()})
        hi = self.cost({k: max(v) for k, v in self._space.items()})
        return dict(bitops=(lo['bitops'], hi['bitops']))
