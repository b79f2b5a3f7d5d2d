"""ResNet residual blocks as candidate ops (DenseNAS ResNet-based space).

Both follow torchvision: BN after every conv, ReLU after the sum, and a
1x1 conv + BN shortcut where the stride or the width changes.
"""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, build_activation_layer

from mmnas.registry import MODELS
from .base import BaseOP, SliceableOP


class _Residual(BaseOP):
    """Shortcut (identity or 1x1 conv + BN), the sum and the last act.

    ``conv_cfg`` / ``norm_cfg`` build the residual convs and, unless
    ``downsample_conv_cfg`` / ``downsample_norm_cfg`` are given, the
    shortcut conv (a quantized space quantizes them differently)."""

    def __init__(self,
                 in_channels,
                 out_channels,
                 stride,
                 norm_cfg,
                 act_cfg,
                 init_cfg=None,
                 conv_cfg=None,
                 downsample_conv_cfg=None,
                 downsample_norm_cfg=None):
        super().__init__(in_channels, out_channels, stride, init_cfg)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = ConvModule(
                in_channels,
                out_channels,
                1,
                stride=stride,
                conv_cfg=downsample_conv_cfg or conv_cfg,
                norm_cfg=downsample_norm_cfg or norm_cfg,
                act_cfg=None)
        self.act = build_activation_layer(act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        return self.act(self.residual(x) + identity)


@MODELS.register_module()
class ResBasicBlock(_Residual, SliceableOP):
    """Two 3x3 convs (the first with the stride); ``conv_cfg`` (e.g. a
    ``QuantConv2d``) builds every conv of the block. The width between
    them, ``mid_channels`` (default ``out_channels``), is what a channel
    search slices."""
    hidden_layers = [('residual.0', False, True), ('residual.1', True, False)]

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=None,
                 conv_cfg: Optional[dict] = None,
                 downsample_conv_cfg: Optional[dict] = None,
                 downsample_norm_cfg: Optional[dict] = None,
                 mid_channels: Optional[int] = None) -> None:
        super().__init__(in_channels, out_channels, stride, norm_cfg, act_cfg,
                         init_cfg, conv_cfg, downsample_conv_cfg,
                         downsample_norm_cfg)
        self.mid_channels = mid_channels or out_channels
        self.residual = nn.Sequential(
            ConvModule(
                in_channels,
                self.mid_channels,
                3,
                stride=stride,
                padding=1,
                conv_cfg=conv_cfg,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg),
            ConvModule(
                self.mid_channels,
                out_channels,
                3,
                padding=1,
                conv_cfg=conv_cfg,
                norm_cfg=norm_cfg,
                act_cfg=None))


@MODELS.register_module()
class ResBottleneck(_Residual):
    """1x1 reduce to ``out_channels // expansion``, 3x3 with the stride,
    1x1 expand to ``out_channels``."""

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 expansion: int = 4,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=None) -> None:
        super().__init__(in_channels, out_channels, stride, norm_cfg, act_cfg,
                         init_cfg)
        if out_channels % expansion:
            raise ValueError(f'ResBottleneck: out_channels {out_channels} '
                             f'is not a multiple of expansion {expansion}')
        mid = out_channels // expansion
        self.residual = nn.Sequential(
            ConvModule(
                in_channels, mid, 1, norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(
                mid,
                mid,
                3,
                stride=stride,
                padding=1,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg),
            ConvModule(mid, out_channels, 1, norm_cfg=norm_cfg, act_cfg=None))
