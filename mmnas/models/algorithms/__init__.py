from .base import BaseAlgorithm
from .densenas import DenseNAS
from .dsnas import DSNAS, DSNASDDP
from .spos import SPOS

__all__ = ['BaseAlgorithm', 'SPOS', 'DSNAS', 'DSNASDDP', 'DenseNAS']
