from .base import BaseOP
from .mobilenet_series import Identity, MBBlock
from .shufflenet_series import ShuffleBlock, ShuffleXception

__all__ = ['BaseOP', 'ShuffleBlock', 'ShuffleXception', 'MBBlock', 'Identity']
