"""ResNet search space of the SPOS mixed-precision quantization search.

Torchvision's ResNet-18/34 (basic blocks, 7x7 stride-2 stem and max pool,
stages of 64..512 channels) whose convs are :class:`QuantConv2d`: every
searched conv has two decisions, its weight bit width
(``<conv>.w_quant``) and its input bit width (``<conv>.a_quant``). The stem
conv quantizes its weights to ``stem_bits`` and takes the 8-bit image as
it comes; the classifier (``QuantLinearClsHead``) is fixed at 8 bits too.
With ``channel_scales`` every block also searches the width between its two
convs (``layers.<stage>.<block>.channel``, SPOS channel search on the same
quantized convs). ``quantize=False`` builds the float network, which is
exactly torchvision's.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmnas.registry import MODELS
from mmnas.utils import UserError
from ..mutables import OneShotMutableChannel
from ..ops.quantization import BitSwitchBN, QuantConv2d, check_bits
from ..ops.resnet_series import ResBasicBlock

# depth -> basic blocks per stage
RESNET_LAYOUTS: Dict[int, List[int]] = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}
STAGE_CHANNELS = [64, 128, 256, 512]


@MODELS.register_module()
class SearchableQuantResNet(BaseModule):
    """Args:
        depth (int): 18 or 34.
        w_bits (Sequence[int]): Weight bit widths of a searched conv.
        a_bits (Sequence[int]): Input bit widths of a searched conv.
        quantize (bool): False builds the float ResNet (no decisions).
        stem_bits (int): Weight bit width of the stem conv.
        downsample_bits (int, optional): Weight and input bit width of the
            1x1 shortcut convs; None searches them like the other convs.
        w_quantizer (dict): Weight quantizer config.
        a_quantizer (dict): Activation quantizer config (``per_bit=True``
            keeps one PACT clip per bit width).
        per_bit_bn (bool): One BN per weight bit width of its conv
            (:class:`BitSwitchBN`) instead of one shared BN.
        channel_scales (Sequence[float], optional): Width multipliers of
            each block's hidden width (:class:`OneShotMutableChannel`);
            None searches bit widths only.
        widen_factor (float): Multiplier of the stage widths.
        small_input (bool): 3x3 stride-1 stem without max pool, for 32x32
            inputs.
        out_indices (Sequence[int]): Stage outputs to return.
    """

    def __init__(
        self,
        depth: int = 18,
        w_bits: Sequence[int] = (1, 2, 3, 4),
        a_bits: Sequence[int] = (1, 2, 3, 4),
        quantize: bool = True,
        stem_bits: int = 8,
        downsample_bits: Optional[int] = None,
        w_quantizer: dict = dict(type='DoReFaQuantizer'),
        a_quantizer: dict = dict(type='PACTQuantizer'),
        per_bit_bn: bool = False,
        channel_scales: Optional[Sequence[float]] = None,
        widen_factor: float = 1.0,
        small_input: bool = False,
        out_indices: Sequence[int] = (3, ),
        init_cfg=[
            dict(type='Kaiming', layer=['Conv2d']),
            dict(type='Constant', val=1, layer=['_BatchNorm'])
        ]
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in RESNET_LAYOUTS:
            raise UserError(f'SearchableQuantResNet: depth={depth!r}; the '
                            f'space has depths {sorted(RESNET_LAYOUTS)}.')
        if channel_scales and per_bit_bn:
            raise UserError(
                'SearchableQuantResNet: channel search slices one shared BN '
                'per conv; per_bit_bn=True keeps several. Use one of '
                'channel_scales and per_bit_bn.')
        w_bits = check_bits(w_bits, 'SearchableQuantResNet w_bits')
        a_bits = check_bits(a_bits, 'SearchableQuantResNet a_bits')
        self.out_indices = out_indices
        quant = dict(w_quantizer=w_quantizer, a_quantizer=a_quantizer)
        norm = dict(type='BN')

        def convs(w, a) -> Tuple[dict, dict]:
            if not quantize:
                return None, norm
            cfg = dict(type=QuantConv2d, w_bits=w, a_bits=a, **quant)
            if per_bit_bn and len(w) > 1:
                return cfg, dict(type=BitSwitchBN, bit_choices=w)
            return cfg, norm

        widths = [int(c * widen_factor) for c in STAGE_CHANNELS]
        stem_conv = None if not quantize else dict(
            type=QuantConv2d,
            w_bits=stem_bits,
            a_bits=8,
            w_quantizer=w_quantizer,
            a_quantizer=None)
        kernel, stride = (3, 1) if small_input else (7, 2)
        self.stem = ConvModule(
            3,
            widths[0],
            kernel,
            stride=stride,
            padding=kernel // 2,
            conv_cfg=stem_conv,
            norm_cfg=norm)
        self.maxpool = nn.Identity() if small_input else nn.MaxPool2d(3, 2, 1)
        body_conv, body_norm = convs(w_bits, a_bits)
        if downsample_bits is None:
            ds_conv, ds_norm = body_conv, body_norm
        else:
            ds_conv, ds_norm = convs([downsample_bits], [downsample_bits])
        self.layers = nn.ModuleList()
        in_channels = widths[0]
        for i, (width,
                blocks) in enumerate(zip(widths, RESNET_LAYOUTS[depth])):
            stage = []
            for j in range(blocks):
                block = dict(
                    type=ResBasicBlock,
                    in_channels=in_channels,
                    out_channels=width,
                    stride=2 if i > 0 and j == 0 else 1,
                    conv_cfg=body_conv,
                    norm_cfg=body_norm,
                    downsample_conv_cfg=ds_conv,
                    downsample_norm_cfg=ds_norm)
                stage.append(
                    OneShotMutableChannel(block, channel_scales)
                    if channel_scales else MODELS.build(block))
                in_channels = width
            self.layers.append(nn.Sequential(*stage))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.maxpool(self.stem(x))
        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
