# The float ResNet-18 built from the quantization space's file
# (quantize=False): torchvision's network, 11,689,512 params and
# 1,814,073,344 multiply-adds at 224x224 (get_flops.py); the reference the
# quantized subnets are counted against. Trains with the SPOS recipe.
_base_ = ['./spos_quant_resnet18_supernet_8xb128_in1k.py']

model = dict(
    _delete_=True,
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='SearchableQuantResNet', depth=18, quantize=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.in1k_head, in_channels=512),
)
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=False)
