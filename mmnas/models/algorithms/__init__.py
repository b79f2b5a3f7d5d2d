from .base import BaseAlgorithm
from .densenas import DenseNAS, DenseNASDDP
from .dsnas import DSNAS, DSNASDDP
from .spos import SPOS

__all__ = [
    'BaseAlgorithm', 'SPOS', 'DSNAS', 'DSNASDDP', 'DenseNAS', 'DenseNASDDP'
]
