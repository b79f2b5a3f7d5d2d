"""MobileNet search space of SPOS in MMRazor (ProxylessNAS-GPU layout).

Stem 3x3 conv (stride 2) to ``first_channels``, seven stages of searchable
inverted-residual blocks (only a stage's first block takes its stride), last
1x1 conv to ``last_channels``; ReLU6 throughout. Stage 0 holds one block
with its own mutable (MMRazor: ``mb_k3e1`` only); every other block is a
mutable over MBConv k3/5/7 x e3/6 and identity, named
``layers.<stage>.<block>``.
"""
import copy
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmcls.models.utils import make_divisible
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmnas.registry import MODELS

# [out channels, number of blocks, stride of the first block] per stage
PROXYLESS_GPU_STAGES = [
    [24, 1, 1],
    [32, 4, 2],
    [56, 4, 2],
    [112, 4, 2],
    [128, 4, 1],
    [256, 4, 2],
    [432, 1, 1],
]


@MODELS.register_module()
class SearchableMobileNet(BaseModule):
    """Args:
        mutable_cfg (dict): Config of the mutable built for every block; it
            gets ``module_kwargs`` (in/out channels, stride) filled in.
        first_mutable_cfg (dict, optional): Mutable of stage 0's blocks.
            Defaults to ``mutable_cfg``.
        arch_setting (list): ``[channels, num_blocks, stride]`` per stage.
        widen_factor (float): Multiplier of the stem and stage widths
            (rounded to multiples of 8).
        first_channels (int): Width of the stem conv.
        last_channels (int): Width of the last 1x1 conv.
        small_input (bool): Stride-1 stem, for 32x32 inputs.
        out_indices (Sequence[int]): Stage outputs to return (len(arch) =
            the last conv).
    """

    def __init__(self,
                 mutable_cfg: dict,
                 first_mutable_cfg: Optional[dict] = None,
                 arch_setting: List[List[int]] = PROXYLESS_GPU_STAGES,
                 widen_factor: float = 1.0,
                 first_channels: int = 40,
                 last_channels: int = 1728,
                 small_input: bool = False,
                 out_indices: Sequence[int] = (7, ),
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU6'),
                 init_cfg=[
                     dict(type='Kaiming', layer=['Conv2d']),
                     dict(type='Constant', val=1,
                          layer=['_BatchNorm', 'GroupNorm'])
                 ]) -> None:
        super().__init__(init_cfg=init_cfg)
        for i in out_indices:
            if not 0 <= i <= len(arch_setting):
                raise ValueError(f'out_indices must be in [0, '
                                 f'{len(arch_setting)}], got {i}')
        self.out_indices = out_indices
        in_channels = make_divisible(first_channels * widen_factor, 8)
        self.conv1 = ConvModule(3, in_channels, 3,
                                stride=1 if small_input else 2, padding=1,
                                norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.layers = nn.ModuleList()
        for i, (channels, num_blocks, stride) in enumerate(arch_setting):
            stage_cfg = first_mutable_cfg if i == 0 and first_mutable_cfg \
                else mutable_cfg
            out_channels = make_divisible(channels * widen_factor, 8)
            blocks = []
            for j in range(num_blocks):
                cfg = copy.deepcopy(stage_cfg)
                cfg['module_kwargs'] = dict(
                    cfg.get('module_kwargs') or {},
                    in_channels=in_channels,
                    out_channels=out_channels,
                    stride=stride if j == 0 else 1)
                blocks.append(MODELS.build(cfg))
                in_channels = out_channels
            self.layers.append(nn.Sequential(*blocks))
        self.last_conv = ConvModule(in_channels, last_channels, 1,
                                    norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, x: torch.Tensor):
        x = self.conv1(x)
        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.out_indices:
                outs.append(x)
        x = self.last_conv(x)
        if len(self.layers) in self.out_indices:
            outs.append(x)
        return tuple(outs)
