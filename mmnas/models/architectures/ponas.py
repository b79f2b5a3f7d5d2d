"""PONAS search space (Huang & Chu, 2020), as the released PONAS-A/B/C
networks show it.

Stem 3x3 conv (stride 2) -> 32, a fixed MBConv (expand 1, 3x3) -> 16, then
19 searchable MBConv layers named ``layers.<i>`` (i = 0..18), each a
``OneShotMutableOP`` over kernel {3, 5, 7} x expansion {3, 6} x SE
{off, on} = 12 candidates (``k3_e3`` ... ``k7_e6_se``), and a last 1x1 conv
-> 1280. SE squeezes the expanded width C to max(C // 4, 8) (ReLU, then
Sigmoid), as in the released models.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcls.models.utils import make_divisible
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmnas.registry import MODELS
from ..mutables import OneShotMutableOP
from ..ops import MBBlock

# [out channels, number of layers, stride of the first layer]
PONAS_STAGES = [[32, 2, 2], [40, 4, 2], [80, 4, 2], [96, 4, 1], [192, 4, 2],
                [320, 1, 1]]

# candidate name -> (kernel size, expansion ratio, squeeze-excitation)
PONAS_CANDIDATES: Dict[str, Tuple[int, int, bool]] = {
    'k3_e3': (3, 3, False),
    'k3_e3_se': (3, 3, True),
    'k3_e6': (3, 6, False),
    'k3_e6_se': (3, 6, True),
    'k5_e3': (5, 3, False),
    'k5_e3_se': (5, 3, True),
    'k5_e6': (5, 6, False),
    'k5_e6_se': (5, 6, True),
    'k7_e3': (7, 3, False),
    'k7_e3_se': (7, 3, True),
    'k7_e6': (7, 6, False),
    'k7_e6_se': (7, 6, True),
}


def ponas_se_cfg(mid_channels: int) -> dict:
    """SELayer kwargs of PONAS: squeeze to max(C // 4, 8)."""
    return dict(squeeze_channels=max(mid_channels // 4, 8))


@MODELS.register_module()
class SearchablePONAS(BaseModule):
    """Args:
        candidates (Sequence[str], optional): Names (keys of
            ``PONAS_CANDIDATES``) offered at every searchable layer.
            Defaults to all 12.
        arch_setting (list): ``[channels, num_layers, stride]`` per stage.
        widen_factor (float): Multiplier of every width (rounded to 8).
        stem_channels (int): Width of the stem conv.
        first_channels (int): Width of the fixed first MBConv.
        last_channels (int): Width of the last 1x1 conv.
        small_input (bool): Stride-1 stem, for 32x32 inputs.
    """

    def __init__(self,
                 candidates: Optional[Sequence[str]] = None,
                 arch_setting: List[List[int]] = PONAS_STAGES,
                 widen_factor: float = 1.0,
                 stem_channels: int = 32,
                 first_channels: int = 16,
                 last_channels: int = 1280,
                 small_input: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU6'),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        names = list(candidates) if candidates is not None \
            else list(PONAS_CANDIDATES)
        unknown = [n for n in names if n not in PONAS_CANDIDATES]
        if unknown or not names:
            raise ValueError(
                f'unknown PONAS candidates {unknown}; choose from '
                f'{list(PONAS_CANDIDATES)}')

        def width(c):
            return make_divisible(c * widen_factor, 8)

        stem = width(stem_channels)
        self.conv1 = ConvModule(
            3,
            stem,
            3,
            stride=1 if small_input else 2,
            padding=1,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        in_channels = width(first_channels)
        self.first_block = MBBlock(
            stem,
            in_channels,
            1,
            kernel_size=3,
            expand_ratio=1,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        layers = []
        for channels, num_layers, first_stride in arch_setting:
            out_channels = width(channels)
            for j in range(num_layers):
                stride = first_stride if j == 0 else 1
                layers.append(
                    self._searchable_layer(names, in_channels, out_channels,
                                           stride, norm_cfg, act_cfg))
                in_channels = out_channels
        self.layers = nn.Sequential(*layers)
        self.last_conv = ConvModule(
            in_channels, last_channels, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)

    @staticmethod
    def _searchable_layer(names, in_channels, out_channels, stride, norm_cfg,
                          act_cfg) -> OneShotMutableOP:
        candidates = {}
        for name in names:
            kernel, expand, se = PONAS_CANDIDATES[name]
            mid = in_channels * expand
            candidates[name] = dict(
                type='MBBlock',
                kernel_size=kernel,
                expand_ratio=expand,
                se_cfg=ponas_se_cfg(mid) if se else None,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg)
        return OneShotMutableOP(
            candidates,
            module_kwargs=dict(
                in_channels=in_channels,
                out_channels=out_channels,
                stride=stride))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        x = self.first_block(self.conv1(x))
        x = self.layers(x)
        return (self.last_conv(x), )
