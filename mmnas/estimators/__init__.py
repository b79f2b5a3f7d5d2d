from .base import (BaseEstimator, Estimators, build_estimator,
                   check_constraint_names, meets, no_subnet_error,
                   refuse_cost_settings)
from .bitops import BitOpsEstimator, count_bitops
from .constrained_sampler import ConstrainedUniformSampler
from .cost_table import CostTable, CostTableError
from .counters import count_static, count_subnet
from .latency import LatencyTable, LatencyTableError, measure_subnet

__all__ = [
    'BaseEstimator', 'Estimators', 'build_estimator', 'refuse_cost_settings',
    'check_constraint_names', 'meets', 'no_subnet_error', 'count_static',
    'count_subnet', 'CostTable', 'CostTableError', 'LatencyTable',
    'LatencyTableError', 'measure_subnet', 'BitOpsEstimator', 'count_bitops',
    'ConstrainedUniformSampler'
]
