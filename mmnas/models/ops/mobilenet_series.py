"""MobileNetV2-family candidate ops (MBConv), shared by the SPOS MobileNet,
DenseNAS and PONAS search spaces."""
from typing import Optional

import torch
from mmcls.models.utils import SELayer
from mmcv.cnn import ConvModule

from mmnas.registry import MODELS
from .base import BaseOP, SliceableOP


@MODELS.register_module()
class MBBlock(SliceableOP):
    """Inverted residual: 1x1 expand (skipped at ratio 1), kxk depthwise with
    the stride, optional squeeze-excitation, 1x1 linear projection; identity
    shortcut when stride is 1 and widths match.

    Args:
        kernel_size (int): Depthwise kernel size.
        expand_ratio (float): Hidden width = round(in_channels * ratio).
        mid_channels (int, optional): Explicit hidden width (channel search).
        se_cfg (dict, optional): kwargs of mmcls ``SELayer`` (applied on the
            hidden width); None disables SE.
    """

    hidden_layers = [
        ('expand_conv', False, True),
        ('depthwise_conv', True, True),
        ('se.conv1', True, False),
        ('se.conv2', False, True),
        ('linear_conv', True, False),
    ]

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 kernel_size: int = 3,
                 expand_ratio: float = 6,
                 mid_channels: Optional[int] = None,
                 se_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU6'),
                 init_cfg=None) -> None:
        super().__init__(in_channels, out_channels, stride, init_cfg)
        self.kernel_size = kernel_size
        self.expand_ratio = expand_ratio
        mid = mid_channels or int(round(in_channels * expand_ratio))
        self.mid_channels = mid
        self.with_res_shortcut = stride == 1 and in_channels == out_channels
        self.expand_conv = None
        if mid != in_channels or expand_ratio != 1:
            self.expand_conv = ConvModule(
                in_channels, mid, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.depthwise_conv = ConvModule(
            mid,
            mid,
            kernel_size,
            stride=stride,
            padding=kernel_size // 2,
            groups=mid,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        self.se = SELayer(mid, **se_cfg) if se_cfg is not None else None
        self.linear_conv = ConvModule(
            mid, out_channels, 1, norm_cfg=norm_cfg, act_cfg=None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x if self.expand_conv is None else self.expand_conv(x)
        out = self.depthwise_conv(out)
        if self.se is not None:
            out = self.se(out)
        out = self.linear_conv(out)
        return x + out if self.with_res_shortcut else out


@MODELS.register_module()
class IdentityOrProjection(BaseOP):
    """Skip candidate: identity where shapes match, else a 1x1 conv + BN
    projection (stride or width change), so it can stand in any slot of a
    stage."""

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(in_channels, out_channels, stride, init_cfg)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = ConvModule(
                in_channels,
                out_channels,
                1,
                stride=stride,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.downsample is None else self.downsample(x)
