from .base import (BaseEstimator, Estimators, build_estimator,
                   refuse_cost_settings)
from .bitops import BitOpsEstimator, count_bitops
from .cost_table import CostTable, CostTableError
from .counters import count_static, count_subnet
from .latency import LatencyTable, LatencyTableError, measure_subnet

__all__ = [
    'BaseEstimator', 'Estimators', 'build_estimator', 'refuse_cost_settings',
    'count_static', 'count_subnet', 'CostTable', 'CostTableError',
    'LatencyTable', 'LatencyTableError', 'measure_subnet', 'BitOpsEstimator',
    'count_bitops'
]
