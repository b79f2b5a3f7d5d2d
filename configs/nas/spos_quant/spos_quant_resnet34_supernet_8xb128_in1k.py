# SPOS quantization step 1: train the ResNet-34 quantization supernet on
# ImageNet: the ResNet-18 config with the ResNet-34 layout.
_base_ = ['./spos_quant_resnet18_supernet_8xb128_in1k.py']

supernet = dict(backbone=dict(depth=34))
model = dict(architecture=supernet)
