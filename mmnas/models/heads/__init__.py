from .linear_head import DropoutLinearClsHead

__all__ = ['DropoutLinearClsHead']
