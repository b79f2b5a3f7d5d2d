from .base import BaseOP, SliceableOP
from .mobilenet_series import IdentityOrProjection, MBBlock
from .resnet_series import ResBasicBlock, ResBottleneck
from .shufflenet_series import ShuffleBlock, ShuffleXception

__all__ = [
    'BaseOP', 'SliceableOP', 'ShuffleBlock', 'ShuffleXception', 'MBBlock',
    'IdentityOrProjection', 'ResBasicBlock', 'ResBottleneck'
]
