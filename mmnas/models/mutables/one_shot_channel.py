"""Channel search (SPOS): the width of a block's hidden layer.

The op (a :class:`SliceableOP`, which lists its hidden layers) is built
once at the widest choice. A narrower choice runs the leading channels of
the same weights: the layers that carry the hidden width are replaced by
:class:`SlicedConv2d` / :class:`SlicedBatchNorm2d` on the same parameters,
which call the functional conv / batch norm on weight slices (so a traced
forward shows the real, narrower shapes to FLOP counters). Fixing a choice
copies the slices into plain, narrower ``Conv2d`` / ``BatchNorm2d`` layers.

One scale per block: every channel mutable inside the same block (the
candidates of a ``OneShotMutableOP``) takes part in the decision
``<block>.channel``.
"""
from typing import Any, Callable, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmnas.registry import MODELS
from ..ops.base import HiddenLayer, SliceableOP
from .base import BaseMutable

# 0.2x to 2.0x of the base hidden width in steps of 0.2, the range issue 5
# gives for the SPOS paper (the official code searches [0.2, ..., 1.6])
DEFAULT_SCALES = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0]


def _is_depthwise(conv: nn.Conv2d) -> bool:
    return conv.groups > 1 and conv.groups == conv.in_channels \
        == conv.out_channels


class SlicedConv2d(nn.Conv2d):
    """A Conv2d that uses its first ``out_width`` filters (None: all) and
    as many input channels as it receives; a depthwise conv narrows both
    with the input."""

    out_width: Optional[int] = None

    @classmethod
    def of(cls, conv: nn.Conv2d) -> 'SlicedConv2d':
        """A sliceable conv on ``conv``'s parameters (same state-dict
        keys where it replaces ``conv``)."""
        new = cls(
            conv.in_channels,
            conv.out_channels,
            conv.kernel_size,
            conv.stride,
            conv.padding,
            conv.dilation,
            conv.groups,
            conv.bias is not None,
            conv.padding_mode,
            device='meta')
        new.weight, new.bias = conv.weight, conv.bias
        return new.train(conv.training)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        in_width = x.shape[1]
        if _is_depthwise(self):
            weight, groups, out = self.weight[:in_width], in_width, in_width
        else:
            out = self.out_width or self.out_channels
            weight, groups = self.weight[:out, :in_width], 1
        bias = None if self.bias is None else self.bias[:out]
        return F.conv2d(x, weight, bias, self.stride, self.padding,
                        self.dilation, groups)


class SlicedBatchNorm2d(nn.BatchNorm2d):
    """A BatchNorm2d over the leading channels it receives; training
    updates the leading entries of the running statistics."""

    @classmethod
    def of(cls, bn: nn.BatchNorm2d) -> 'SlicedBatchNorm2d':
        """A sliceable batch norm on ``bn``'s parameters and buffers."""
        if type(bn) is not nn.BatchNorm2d:
            raise TypeError(f'channel search slices BatchNorm2d, not '
                            f'{type(bn).__name__}; use norm_cfg=dict('
                            "type='BN') in the searched op.")
        new = cls(
            bn.num_features,
            bn.eps,
            bn.momentum,
            bn.affine,
            bn.track_running_stats,
            device='meta')
        for name, _ in list(new.named_parameters(recurse=False)) + list(
                new.named_buffers(recurse=False)):
            setattr(new, name, getattr(bn, name))
        return new.train(bn.training)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(x, _lead(self.running_mean if track else None, c),
                            _lead(self.running_var if track else None, c),
                            _lead(self.weight, c), _lead(self.bias, c),
                            use_batch_stats, factor, self.eps)


def _lead(t: Optional[torch.Tensor], n: int) -> Optional[torch.Tensor]:
    return None if t is None else t[:n]


def _narrow_conv(conv: nn.Conv2d, in_width: int, out_width: int) -> nn.Conv2d:
    depthwise = _is_depthwise(conv)
    new = nn.Conv2d(in_width, out_width, conv.kernel_size, conv.stride,
                    conv.padding, conv.dilation, out_width if depthwise else 1,
                    conv.bias is not None, conv.padding_mode).to(conv.weight)
    new.train(conv.training)
    with torch.no_grad():
        new.weight.copy_(conv.weight[:out_width] if depthwise else conv.
                         weight[:out_width, :in_width])
        if conv.bias is not None:
            new.bias.copy_(conv.bias[:out_width])
    new.weight.requires_grad_(conv.weight.requires_grad)
    return new


def _narrow_bn(bn: nn.BatchNorm2d, width: int) -> nn.BatchNorm2d:
    new = nn.BatchNorm2d(width, bn.eps, bn.momentum, bn.affine,
                         bn.track_running_stats).to(bn.running_mean)
    new.train(bn.training)
    with torch.no_grad():
        for name in ('weight', 'bias', 'running_mean', 'running_var'):
            if getattr(bn, name) is not None:
                getattr(new, name).copy_(getattr(bn, name)[:width])
        if bn.num_batches_tracked is not None:
            new.num_batches_tracked.copy_(bn.num_batches_tracked)
    return new


def _sliced_numel(conv: nn.Module, in_width: int, out_width: int) -> int:
    """Parameters of a ConvModule's conv (its weight and bias) and norm at
    the given widths."""
    total = 0
    for p in conv.conv.parameters(recurse=False):
        if p.dim() == 4:
            p = p[:out_width] if _is_depthwise(conv.conv) else \
                p[:out_width, :in_width]
        else:
            p = p[:out_width]
        total += p.numel()
    if conv.with_norm:
        total += sum(p[:out_width].numel() for p in conv.norm.parameters())
    return total


@MODELS.register_module()
class OneShotMutableChannel(BaseMutable):
    """Chooses the hidden width of one op as a multiple of its base width.

    The op (a :class:`SliceableOP`: ``ShuffleBlock``, ``ShuffleXception``,
    ``MBBlock``; others through ``hidden_layers``) is built with
    ``mid_channels`` = the widest choice; choice ``s`` uses
    ``int(base * s)`` hidden channels, ``base`` being the op's default
    ``mid_channels`` (as the official SPOS code).

    Args:
        op (dict): Config of the op.
        choices (Sequence[float]): Width multipliers of the base width.
        module_kwargs (dict, optional): Extra kwargs for the op (a search
            space passes in/out channels and stride here; as a candidate of
            a ``OneShotMutableOP`` they come as plain keyword arguments).
        hidden_layers (list, optional): ``(ConvModule path, input is
            hidden, output is hidden)`` of the op; defaults to the op's
            own ``hidden_layers``.
        alias (str, optional): Decision name; defaults to
            ``<block>.channel``.
    """

    def __init__(self,
                 op: dict,
                 choices: Sequence[float] = DEFAULT_SCALES,
                 module_kwargs: Optional[dict] = None,
                 hidden_layers: Optional[List[HiddenLayer]] = None,
                 alias: Optional[str] = None,
                 init_cfg=None,
                 **op_kwargs) -> None:
        super().__init__(alias=alias, init_cfg=init_cfg)
        choices = list(choices)
        if not choices or len(set(choices)) != len(choices) or any(
                not isinstance(c, (int, float)) or c <= 0 for c in choices):
            raise ValueError(
                f'OneShotMutableChannel: choices must be distinct positive '
                f'width multipliers, got {choices}.')
        cfg = dict(op, **(module_kwargs or {}), **op_kwargs)
        op_type = cfg.get('type')
        op_cls = MODELS.get(op_type) if isinstance(op_type, str) else op_type
        op_type = op_type if isinstance(op_type, str) else op_type.__name__
        if hidden_layers is None and not (isinstance(op_cls, type)
                                          and issubclass(op_cls, SliceableOP)):
            raise ValueError(
                f'OneShotMutableChannel: op {op_type!r} is not a SliceableOP '
                'that lists its hidden layers; pass `hidden_layers` for it.')
        # the op's own default width, from the op itself
        self.base_channels = MODELS.build(dict(cfg)).mid_channels
        self._choices = choices
        self._current = max(choices)
        self.op = MODELS.build(
            dict(cfg, mid_channels=self.width_of(self._current)))
        # (ConvModule, input is hidden, output is hidden), in forward order
        self._layers = [
            (self.op.get_submodule(path), into, out)
            for path, into, out in (hidden_layers or op_cls.hidden_layers)
            if self._has(path)
        ]
        if not self._layers or self._layers[0][1]:
            raise ValueError(
                f'OneShotMutableChannel: {op_type} built from {cfg} has no '
                'layer that produces its hidden width from its input (e.g. '
                'an MBBlock with expand_ratio 1); search another op or '
                'ratio.')
        for module, _, _ in self._layers:
            # a conv that slices itself (QuantConv2d) stays as it is
            if not getattr(module.conv, 'sliceable', False):
                module.conv = SlicedConv2d.of(module.conv)
            if module.with_norm:
                setattr(module, module.norm_name,
                        SlicedBatchNorm2d.of(module.norm))

    def _has(self, path: str) -> bool:
        try:
            return self.op.get_submodule(path) is not None
        except AttributeError:
            return False

    def width_of(self, choice: float) -> int:
        """Hidden channels of a choice."""
        return max(1, int(self.base_channels * choice))

    @property
    def choices(self) -> List[float]:
        return list(self._choices)

    @property
    def current_choice(self) -> float:
        return self._current

    @current_choice.setter
    def current_choice(self, choice: float) -> None:
        self.check_switch(choice)
        self._current = choice
        if self.is_fixed:
            return
        width = self.width_of(choice)
        for module, _, out in self._layers:
            if out:
                module.conv.out_width = width

    def decision_key(self, name: str, owner: Optional[str]) -> str:
        return self.alias or f'{owner or name}.channel'

    def active_param_count(self, count: Callable[[nn.Module], int]) -> int:
        """The op's parameters with the hidden layers cut to the current
        width."""
        total = count(self.op)
        if self.is_fixed:
            return total
        width = self.width_of(self._current)
        for module, into, out in self._layers:
            total -= _sliced_numel(module, module.conv.in_channels,
                                   module.conv.out_channels)
            total += _sliced_numel(module,
                                   width if into else module.conv.in_channels,
                                   width if out else module.conv.out_channels)
        return total

    def fix_chosen(self, chosen: float) -> None:
        """Keep ``chosen`` and replace the sliced layers by plain layers of
        the chosen width holding the leading channels."""
        if self.is_fixed:
            self.current_choice = chosen
            return
        self.current_choice = chosen
        width = self.width_of(chosen)
        for module, into, out in self._layers:
            conv = module.conv
            in_w = width if into else conv.in_channels
            out_w = width if out else conv.out_channels
            module.conv = conv.narrowed(in_w, out_w) if hasattr(
                conv, 'narrowed') else _narrow_conv(conv, in_w, out_w)
            if module.with_norm:
                setattr(module, module.norm_name,
                        _narrow_bn(module.norm, out_w))
        self.op.mid_channels = width
        self._layers = []
        self._choices = [chosen]
        self._is_fixed = True

    def export(self) -> nn.Module:
        """The op at the chosen width (for static subnets)."""
        return self.op

    def forward(self, x: Any) -> Any:
        return self.op(x)
