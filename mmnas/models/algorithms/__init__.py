from .base import BaseAlgorithm
from .dsnas import DSNAS, DSNASDDP
from .spos import SPOS

__all__ = ['BaseAlgorithm', 'SPOS', 'DSNAS', 'DSNASDDP']
