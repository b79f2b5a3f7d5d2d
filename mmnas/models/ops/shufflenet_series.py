"""ShuffleNetV2 units used by the SPOS / DSNAS search space.

Both units split channels in two: at stride 1 half of the input passes
through and the other half goes through ``branch2``; at stride 2 both halves
are computed (``branch1`` downsamples). The output is channel-shuffled.
"""
from typing import Optional

import torch
import torch.nn as nn
from mmcls.models.utils import channel_shuffle as nchw_channel_shuffle
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule

from mmnas.registry import MODELS
from .base import SliceableOP


def is_channels_last(x: torch.Tensor) -> bool:
    """Dense channels_last, and not also dense NCHW (as 1x1 maps are)."""
    return not x.is_contiguous() and \
        x.is_contiguous(memory_format=torch.channels_last)


class _InterleaveNHWC(torch.autograd.Function):
    """mmcls's ``channel_shuffle(cat((a, b), 1), 2)`` in channels_last
    (see ``ChannelsLastHook``): each input is written once into its slots
    of the channels_last output, and the backward pass hands each input a
    dense channels_last gradient (slices of the output gradient would put
    the branches' ReLU and convolution backward passes on strided memory).
    """

    @staticmethod
    def forward(ctx, a, b):
        n, c, h, w = a.shape
        a, b = a.permute(0, 2, 3, 1), b.permute(0, 2, 3, 1)
        if a.dtype in (torch.float32, torch.float64):
            # (a, b) as the real and imaginary parts: one vectorised pass
            pairs = torch.view_as_real(torch.complex(a, b))
        else:
            pairs = a.new_empty(n, h, w, c, 2)
            pairs[..., 0], pairs[..., 1] = a, b
        return pairs.reshape(n, h, w, 2 * c).permute(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad):
        n, c2, h, w = grad.shape
        pairs = grad.permute(0, 2, 3, 1).contiguous().view(n, h, w, c2 // 2, 2)
        return tuple(pairs[..., i].contiguous().permute(0, 3, 1, 2)
                     for i in (0, 1))


def concat_shuffle(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The ShuffleNetV2 unit's output: ``a`` and ``b`` concatenated along
    channels, then shuffled in two groups (``a``'s channel i lands at 2i,
    ``b``'s at 2i + 1); channels_last when the branch output ``b`` is
    (traced for export: mmcls's ops, which exporters know)."""
    if a.shape == b.shape and is_channels_last(b) and \
            not torch.jit.is_tracing():
        return _InterleaveNHWC.apply(a, b)
    return nchw_channel_shuffle(torch.cat((a, b), dim=1), 2)


class _ShuffleUnit(SliceableOP):
    """Channel split, the two branches, concat and shuffle."""

    def __init__(self,
                 in_channels,
                 out_channels,
                 stride,
                 norm_cfg,
                 act_cfg,
                 branch1_kernel=3,
                 init_cfg=None):
        super().__init__(in_channels, out_channels, stride, init_cfg)
        if stride not in (1, 2):
            raise ValueError(f'stride must be 1 or 2, got {stride}')
        self.branch_channels = out_channels // 2
        if stride == 1 and in_channels != out_channels:
            raise ValueError(
                f'{type(self).__name__}: stride 1 needs in_channels == '
                f'out_channels, got {in_channels} -> {out_channels}')
        # channels branch2 reads: all input when downsampling, else one half
        self.branch2_in = in_channels if stride > 1 else self.branch_channels
        if stride > 1:
            self.branch1 = nn.Sequential(
                ConvModule(
                    in_channels,
                    in_channels,
                    branch1_kernel,
                    stride=stride,
                    padding=branch1_kernel // 2,
                    groups=in_channels,
                    norm_cfg=norm_cfg,
                    act_cfg=None),
                ConvModule(
                    in_channels,
                    self.branch_channels,
                    1,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            return concat_shuffle(self.branch1(x), self.branch2(x))
        x1, x2 = x.chunk(2, dim=1)
        if is_channels_last(x):
            # a dense copy, so the convolution's input gradient is dense too
            x2 = x2.contiguous(memory_format=torch.channels_last)
        return concat_shuffle(x1, self.branch2(x2))


@MODELS.register_module()
class ShuffleBlock(_ShuffleUnit):
    """ShuffleNetV2 unit with a ``kernel_size`` depthwise conv.

    Args:
        kernel_size (int): 3, 5 or 7.
        mid_channels (int, optional): Hidden width of branch2 (the width
            SPOS channel search varies). Defaults to ``out_channels // 2``.
    """
    hidden_layers = [
        ('branch2.0', False, True),
        ('branch2.1', True, True),
        ('branch2.2', True, False),
    ]

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 kernel_size: int = 3,
                 mid_channels: Optional[int] = None,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=None) -> None:
        if kernel_size not in (3, 5, 7):
            raise ValueError(f'kernel_size must be 3, 5 or 7, got '
                             f'{kernel_size}')
        super().__init__(in_channels, out_channels, stride, norm_cfg, act_cfg,
                         kernel_size, init_cfg)
        self.kernel_size = kernel_size
        mid = mid_channels or self.branch_channels
        self.mid_channels = mid
        pad = kernel_size // 2
        self.branch2 = nn.Sequential(
            ConvModule(
                self.branch2_in, mid, 1, norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(
                mid,
                mid,
                kernel_size,
                stride=stride,
                padding=pad,
                groups=mid,
                norm_cfg=norm_cfg,
                act_cfg=None),
            ConvModule(
                mid,
                self.branch_channels,
                1,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg))


@MODELS.register_module()
class ShuffleXception(_ShuffleUnit):
    """ShuffleNetV2 Xception-like unit: three 3x3 depthwise-separable convs.

    Args:
        mid_channels (int, optional): Hidden width of branch2. Defaults to
            ``out_channels // 2``.
    """
    hidden_layers = [
        ('branch2.0.pointwise_conv', False, True),
        ('branch2.1.depthwise_conv', True, True),
        ('branch2.1.pointwise_conv', True, True),
        ('branch2.2.depthwise_conv', True, True),
        ('branch2.2.pointwise_conv', True, False),
    ]

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 mid_channels: Optional[int] = None,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=None) -> None:
        super().__init__(in_channels, out_channels, stride, norm_cfg, act_cfg,
                         3, init_cfg)
        mid = mid_channels or self.branch_channels
        self.mid_channels = mid
        widths = [(self.branch2_in, mid, stride), (mid, mid, 1),
                  (mid, self.branch_channels, 1)]
        self.branch2 = nn.Sequential(*[
            DepthwiseSeparableConvModule(
                cin,
                cout,
                3,
                stride=s,
                padding=1,
                norm_cfg=norm_cfg,
                dw_act_cfg=None,
                act_cfg=act_cfg) for cin, cout, s in widths
        ])
