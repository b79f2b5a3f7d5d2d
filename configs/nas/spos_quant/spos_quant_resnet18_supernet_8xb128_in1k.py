# SPOS quantization step 1: train the ResNet-18 quantization supernet on
# ImageNet (8 GPUs x 128 images, the SPOS recipe). Every body and shortcut
# conv draws its weight and input bit widths from {1, 2, 3, 4} at every
# step; the stem conv and the classifier stay at 8 bits.
_base_ = [
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/imagenet_bs128_spos.py',
    '../../_base_/schedules/imagenet_bs1024_spos.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='SearchableQuantResNet',
        depth=18,
        w_bits=(1, 2, 3, 4),
        a_bits=(1, 2, 3, 4),
        # one PACT clip and one BN per bit width of a conv, as measured
        # best on digits (docs/algorithms/spos_quantization.md)
        a_quantizer=dict(type='PACTQuantizer', per_bit=True),
        per_bit_bn=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.in1k_head, type='QuantLinearClsHead', in_channels=512),
)

model = dict(type='SPOS', architecture=supernet)

# every rank samples its own path: quantizers unused on a rank are expected
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
