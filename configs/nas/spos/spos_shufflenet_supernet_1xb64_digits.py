# SPOS step 1 on the embedded digits data (CPU-sized): the same search space
# at quarter width, with the small-input stem (stride 1) for 32x32 inputs.
_base_ = [
    '../../_base_/nas_backbones/spos_shufflenet_supernet.py',
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/schedules/digits_bs64_supernet.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='SearchableShuffleNetV2',
        mutable_cfg={{_base_._STAGE_MUTABLE}},
        widen_factor=0.25,
        last_channels=256,
        small_input=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.digits_head, in_channels=256),
)

# one path (each block's first candidate) trains alone
# for 4 epochs and is then copied into every candidate
model = dict(type='SPOS', architecture=supernet, warm_start=dict(epochs=4))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)

default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
