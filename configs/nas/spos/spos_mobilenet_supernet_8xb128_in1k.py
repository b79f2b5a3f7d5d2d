# SPOS step 1 on the MobileNet (ProxylessNAS-GPU) space: train the supernet
# on ImageNet, one uniformly sampled path per step (8 GPUs x 128 images).
_base_ = [
    '../../_base_/nas_backbones/spos_mobilenet_supernet.py',
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/imagenet_bs128_spos.py',
    '../../_base_/schedules/imagenet_bs1024_spos.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.nas_backbone}},
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.in1k_head, in_channels=1728),
)

model = dict(type='SPOS', architecture=supernet)

# every rank samples its own path: candidates unused on a rank are expected
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
