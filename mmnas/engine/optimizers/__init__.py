from .arch_param_constructor import ArchParamOptimWrapperConstructor

__all__ = ['ArchParamOptimWrapperConstructor']
