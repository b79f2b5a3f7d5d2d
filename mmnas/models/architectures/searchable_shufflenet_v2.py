"""ShuffleNetV2 search space of SPOS (and DSNAS).

Stem 3x3 conv (stride 2, no max-pool, as in SPOS and MMRazor: 224 -> 112),
four stages of searchable blocks whose first block halves the resolution
(56, 28, 14, 7), last 1x1 conv to 1024 channels.
Each block is a mutable (by default a ``OneShotMutableOP`` over
shuffle_3x3 / 5x5 / 7x7 / xception) named ``layers.<stage>.<block>``.
"""
from typing import List, Sequence

import torch.nn as nn

from mmnas.registry import MODELS
from .staged_backbone import StagedSearchBackbone

# [out channels, number of blocks] per stage, as in SPOS
SPOS_SHUFFLENET_STAGES = [[64, 4], [160, 4], [320, 8], [640, 4]]


@MODELS.register_module()
class SearchableShuffleNetV2(StagedSearchBackbone):
    """Args:
        mutable_cfg (dict): Config of the mutable built for every block; it
            gets ``module_kwargs`` (in/out channels, stride) filled in.
        arch_setting (list): ``[channels, num_blocks]`` per stage.
        widen_factor (float): Multiplier of the stage widths.
        stem_channels (int): Width of the stem conv.
        last_channels (int): Width of the last 1x1 conv.
        small_input (bool): Stride-1 stem, for 32x32 inputs.
        out_indices (Sequence[int]): Stage outputs to return (4 = last conv).
        norm_cfg (dict): Norm of the fixed layers.
    """

    def __init__(self,
                 mutable_cfg: dict,
                 arch_setting: List[List[int]] = SPOS_SHUFFLENET_STAGES,
                 widen_factor: float = 1.0,
                 stem_channels: int = 16,
                 last_channels: int = 1024,
                 small_input: bool = False,
                 out_indices: Sequence[int] = (4, ),
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        stages = [(mutable_cfg, round(channels * widen_factor), num_blocks, 2)
                  for channels, num_blocks in arch_setting]
        self.build_layers(stem_channels, stages, last_channels, small_input,
                          out_indices, norm_cfg, act_cfg)

    def init_weights(self) -> None:
        """SPOS initialisation: small normal convs, BN bias 1e-4."""
        super().init_weights()
        if self.init_cfg is not None:
            return
        for name, m in self.named_modules():
            if isinstance(m, nn.Conv2d):
                std = 0.01 if name.startswith('conv1') else \
                    1.0 / m.weight.shape[1]
                nn.init.normal_(m.weight, 0, std)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                if m.weight is not None:
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 1e-4)
                nn.init.constant_(m.running_mean, 0)
