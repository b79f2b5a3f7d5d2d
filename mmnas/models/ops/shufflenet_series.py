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


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """mmcls's channel shuffle, except that a channels_last input stays
    channels_last (one copy either way), so the next convolution needs no
    layout conversion (see ``ChannelsLastHook``)."""
    if x.is_contiguous() or \
            not x.is_contiguous(memory_format=torch.channels_last):
        return nchw_channel_shuffle(x, groups)
    b, c, h, w = x.shape
    nhwc = x.permute(0, 2, 3, 1).reshape(b, h, w, groups, c // groups)
    return nhwc.transpose(3, 4).reshape(b, h, w, c).permute(0, 3, 1, 2)


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
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        else:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        return channel_shuffle(out, 2)


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
