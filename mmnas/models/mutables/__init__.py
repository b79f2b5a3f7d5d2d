from .base import BaseMutable
from .one_shot_channel import OneShotMutableChannel
from .one_shot_op import OneShotMutableOP

__all__ = ['BaseMutable', 'OneShotMutableOP', 'OneShotMutableChannel']
