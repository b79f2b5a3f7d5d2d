from .nas_mutator import NasMutator, SearchSpaceError
from .path_samplers import StrictFairSampler, UniformSampler

__all__ = [
    'NasMutator', 'SearchSpaceError', 'UniformSampler', 'StrictFairSampler'
]
