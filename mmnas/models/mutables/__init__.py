from .base import BaseMutable
from .diff_mutable import DiffMutable
from .diff_op import OneHotMutableOP
from .diff_path import DiffMutablePath
from .one_shot_channel import OneShotMutableChannel
from .one_shot_op import OneShotMutableOP
from .one_shot_value import OneShotMutableValue

__all__ = [
    'BaseMutable', 'OneShotMutableOP', 'OneHotMutableOP',
    'OneShotMutableChannel', 'OneShotMutableValue', 'DiffMutablePath',
    'DiffMutable'
]
