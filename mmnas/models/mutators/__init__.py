from .nas_mutator import NasMutator, SearchSpaceError

__all__ = ['NasMutator', 'SearchSpaceError']
