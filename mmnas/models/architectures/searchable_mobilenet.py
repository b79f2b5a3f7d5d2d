"""MobileNet search space of SPOS in MMRazor (ProxylessNAS-GPU layout).

Stem 3x3 conv (stride 2) to ``first_channels``, seven stages of searchable
inverted-residual blocks (only a stage's first block takes its stride), last
1x1 conv to ``last_channels``; ReLU6 throughout. Stage 0 holds one block
with its own mutable (MMRazor: ``mb_k3e1`` only); every other block is a
mutable over MBConv k3/5/7 x e3/6 and identity, named
``layers.<stage>.<block>``.
"""
from typing import List, Optional, Sequence

from mmcls.models.utils import make_divisible

from mmnas.registry import MODELS
from .staged_backbone import StagedSearchBackbone

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
class SearchableMobileNet(StagedSearchBackbone):
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

    def __init__(
        self,
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
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        stages = [(first_mutable_cfg if i == 0 and first_mutable_cfg else
                   mutable_cfg, make_divisible(channels * widen_factor,
                                               8), num_blocks, stride)
                  for i, (channels, num_blocks,
                          stride) in enumerate(arch_setting)]
        self.build_layers(
            make_divisible(first_channels * widen_factor, 8), stages,
            last_channels, small_input, out_indices, norm_cfg, act_cfg)
