# PONAS step 1 (meta-training): train the supernet on ImageNet, one
# uniformly sampled path per step (single-path one-shot, 8 GPUs x 128).
_base_ = [
    '../../_base_/nas_backbones/ponas_supernet.py',
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
    head=dict(
        _base_.in1k_head,
        type='DropoutLinearClsHead',
        in_channels=1280,
        dropout_rate=0.2),
)

model = dict(type='SPOS', architecture=supernet)

# every rank samples its own path: candidates unused on a rank are expected
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
