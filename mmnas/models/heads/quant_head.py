"""Linear classifier head on fake-quantized features and weights."""
from typing import Optional

from mmcls.models.heads import LinearClsHead

from mmnas.registry import MODELS
from ..ops.quantization import QuantLinear


@MODELS.register_module()
class QuantLinearClsHead(LinearClsHead):
    """``LinearClsHead`` whose fc is a :class:`QuantLinear` (8/8 bits by
    default, as the stem: the SPOS quantization space does not search the
    classifier).

    Args:
        w_bits (int): Weight bit width.
        a_bits (int): Input bit width (PACT).
        w_quantizer (dict): Weight quantizer config. DoReFa keeps the
            weight's scale here (``keep_scale``): no BN follows the
            classifier, and at [-1, 1] the initial logits of the digits
            ResNet-18 have a standard deviation of 2.9 (loss 4.7, not
            ln 10), which left from-scratch retraining at 73-95 % top-1
            depending on the seed (docs/algorithms/spos_quantization.md).
        a_quantizer (dict, optional): Input quantizer config.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 w_bits: int = 8,
                 a_bits: int = 8,
                 w_quantizer: dict = dict(
                     type='DoReFaQuantizer', keep_scale=True),
                 a_quantizer: Optional[dict] = dict(type='PACTQuantizer'),
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        self.fc = QuantLinear(
            in_channels,
            num_classes,
            w_bits=w_bits,
            a_bits=a_bits,
            w_quantizer=w_quantizer,
            a_quantizer=a_quantizer)
