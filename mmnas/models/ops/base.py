"""Common signature of candidate operations."""
from typing import ClassVar, List, Tuple

from mmengine.model import BaseModule

# (ConvModule path, its input is the hidden width, its output is)
HiddenLayer = Tuple[str, bool, bool]


class BaseOP(BaseModule):
    """A candidate op: maps ``in_channels`` to ``out_channels`` at
    ``stride``. Search spaces pass these three to every candidate."""

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.stride = stride


class SliceableOP(BaseOP):
    """A candidate op whose hidden width (``mid_channels``) a channel search
    can slice. ``hidden_layers`` are its ConvModules on the hidden path, in
    forward order; paths an op was built without (no SE) are skipped."""
    hidden_layers: ClassVar[List[HiddenLayer]] = []
    mid_channels: int
