from .base import BaseAlgorithm
from .spos import SPOS

__all__ = ['BaseAlgorithm', 'SPOS']
