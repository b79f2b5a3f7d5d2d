from .arch_logits import ArchLogitsMixin
from .base import BaseMutable
from .diff_op import OneHotMutableOP, argmax_choices
from .diff_path import DiffMutablePath
from .one_shot_channel import OneShotMutableChannel
from .one_shot_op import OneShotMutableOP

__all__ = [
    'BaseMutable', 'OneShotMutableOP', 'OneHotMutableOP', 'argmax_choices',
    'OneShotMutableChannel', 'DiffMutablePath', 'ArchLogitsMixin'
]
