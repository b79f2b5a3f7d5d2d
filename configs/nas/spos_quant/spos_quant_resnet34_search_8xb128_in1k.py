# SPOS quantization step 2 for ResNet-34: the ResNet-18 search on the
# ResNet-34 supernet. Pass the checkpoint:
#   --cfg-options load_from=$STEP1_CKPT
_base_ = ['./spos_quant_resnet18_search_8xb128_in1k.py']

model = dict(architecture=dict(backbone=dict(depth=34)))
# GBitOps at 224x224 (stem and fc at 8 x 8 included): the uniform 3W3A
# subnet (RESNET34_W3A3.yaml) counts 39.4928 (get_flops.py --convention
# bitops); the space spans 11.13..64.31
train_cfg = dict(constraints_range=dict(bitops=(0., 39.50)))
