from .base import BaseOP, SliceableOP
from .mobilenet_series import IdentityOrProjection, MBBlock
from .quantization import (BitSwitchBN, DoReFaQuantizer, PACTQuantizer,
                           QuantConv2d, QuantLinear)
from .resnet_series import ResBasicBlock, ResBottleneck
from .shufflenet_series import ShuffleBlock, ShuffleXception

__all__ = [
    'BaseOP', 'SliceableOP', 'ShuffleBlock', 'ShuffleXception', 'MBBlock',
    'IdentityOrProjection', 'ResBasicBlock', 'ResBottleneck', 'QuantConv2d',
    'QuantLinear', 'DoReFaQuantizer', 'PACTQuantizer', 'BitSwitchBN'
]
