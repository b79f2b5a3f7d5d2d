"""BitOps: multiply-adds x weight bits x input bits, summed over the convs
and linear layers (the cost of mixed-precision quantization searches).

A layer's MACs are ``Cout * Hout * Wout * Cin / groups * kh * kw`` for a
conv and ``out * in`` for a linear layer (as fvcore counts them, batch 1);
its bits are the current ones of a :class:`QuantConv2d` /
:class:`QuantLinear`, and 32 x 32 for a float layer. The cost is a sum of
products of two decisions, not a sum over decisions, so the estimator
computes ``cost(choices)`` from per-layer MACs and the layers' bit
decisions rather than from per-candidate entries.
"""
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Sequence, Tuple, Union

import torch
import torch.nn as nn

from mmnas.models.mutables import OneShotMutableValue
from mmnas.models.ops.quantization import FULL_PRECISION
from mmnas.registry import TASK_UTILS
from .base import BaseEstimator
from .cost_table import CostTableError
from .counters import chosen, dummy_input, eval_no_grad, traceable, unwrap

# a layer's bit width: a decision name, or a fixed number
BitSource = Union[str, int]


def layer_macs(module: nn.Module, output: torch.Tensor) -> int:
    """Multiply-adds of one call of a conv or linear layer."""
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return output.numel() * module.in_channels // module.groups * kh * kw
    return output.numel() * module.in_features


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
                macs[name] = macs.get(name, 0) + layer_macs(mod, out)

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

    ``bind`` records each layer's MACs in one forward pass and, per
    layer, the decision (or fixed number) its weight and input bits come
    from; ``cost`` is then exact for every subnet as long as no decision
    changes a layer's MACs, which ``bind`` checks on a second subnet
    (the quantization spaces search bit widths only). ``bounds`` is exact:
    BitOps grow with every bit width, so the cheapest and dearest subnets
    take the smallest and largest choice of every decision.

    Args:
        input_shape (Sequence[int]): Input shape the costs are for.
    """
    units = dict(bitops=1e9)

    def __init__(self, input_shape: Sequence[int] = (1, 3, 224, 224)) -> None:
        self.input_shape = tuple(input_shape)
        self._layers: List[Tuple[str, int, BitSource, BitSource]] = []
        self._space: Dict[str, List[Any]] = {}

    def bind(self, architecture: nn.Module, mutator) -> 'BitOpsEstimator':
        net = unwrap(architecture)
        decision_of = {
            id(m): key
            for key, members in mutator.search_groups.items() for m in members
        }
        self._space = OrderedDict(
            (k, mutator.choices_of(k)) for k in mutator.search_groups)
        lowest = {k: v[0] for k, v in self._space.items()}
        highest = {k: v[-1] for k, v in self._space.items()}
        with chosen(mutator, lowest):
            macs = record_macs(net, self.input_shape)
        with chosen(mutator, highest):
            if record_macs(net, self.input_shape) != macs:
                raise CostTableError(
                    'the MACs of some layer change with the choices of this '
                    'space (a channel or op decision): BitOpsEstimator '
                    'counts spaces that search bit widths only.')
        self._layers = []
        for name, n in macs.items():
            m = net.get_submodule(name)
            if hasattr(m, 'w_quant'):
                sources = [
                    decision_of.get(id(q), None) if isinstance(
                        q, OneShotMutableValue) else None
                    for q in (m.w_quant, m.a_quant)
                ]
                w, a = layer_bits(m)
                sources = [
                    s if s is not None else b for s, b in zip(sources, (w, a))
                ]
            else:
                sources = [FULL_PRECISION, FULL_PRECISION]
            self._layers.append((name, n, *sources))
        return self

    def per_layer(
            self,
            choices: Mapping[str,
                             Any]) -> List[Tuple[str, int, int, int, int]]:
        """``(layer, MACs, weight bits, input bits, BitOps)`` per layer."""
        self._check(choices)
        rows = []
        for name, macs, w, a in self._layers:
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
            bitops=sum(n * w * a for _, n, w, a in self._layers
                       if not isinstance(w, str) and not isinstance(a, str)))

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
