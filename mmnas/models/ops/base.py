"""Common signature of candidate operations."""
from mmengine.model import BaseModule


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
