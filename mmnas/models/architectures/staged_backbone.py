"""The layout the SPOS ShuffleNetV2 and MobileNet spaces share: a 3x3 stem
conv, stages of searchable blocks (each a mutable, ``layers.<stage>.<block>``)
and a last 1x1 conv."""
import copy
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmnas.registry import MODELS

# (mutable config, out channels, number of blocks, stride of the first block)
Stage = Tuple[dict, int, int, int]


class StagedSearchBackbone(BaseModule):
    """A search space's file turns its architecture table into stages and
    calls :meth:`build_layers` from its ``__init__``."""

    def build_layers(self, stem_channels: int, stages: List[Stage],
                     last_channels: int, small_input: bool,
                     out_indices: Sequence[int], norm_cfg: dict,
                     act_cfg: dict) -> None:
        """Build the stem (stride 1 with ``small_input``, for 32x32
        inputs), the stages (every block's mutable gets ``module_kwargs``
        with its in/out channels and stride) and the last conv.
        ``out_indices`` picks the outputs: stage i, or ``len(stages)`` for
        the last conv."""
        for i in out_indices:
            if not 0 <= i <= len(stages):
                raise ValueError(f'out_indices must be in [0, '
                                 f'{len(stages)}], got {i}')
        self.out_indices = out_indices
        self.conv1 = ConvModule(
            3,
            stem_channels,
            3,
            stride=1 if small_input else 2,
            padding=1,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        in_channels = stem_channels
        self.layers = nn.ModuleList()
        for mutable_cfg, out_channels, num_blocks, stride in stages:
            blocks = []
            for j in range(num_blocks):
                cfg = copy.deepcopy(mutable_cfg)
                cfg['module_kwargs'] = dict(
                    cfg.get('module_kwargs') or {},
                    in_channels=in_channels,
                    out_channels=out_channels,
                    stride=stride if j == 0 else 1)
                blocks.append(MODELS.build(cfg))
                in_channels = out_channels
            self.layers.append(nn.Sequential(*blocks))
        self.last_conv = ConvModule(
            in_channels, last_channels, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
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
