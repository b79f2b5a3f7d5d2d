from .linear_head import DropoutLinearClsHead
from .quant_head import QuantLinearClsHead

__all__ = ['DropoutLinearClsHead', 'QuantLinearClsHead']
