# SPOS step 1 on the MobileNet space with the embedded digits data
# (CPU-sized): the same stages and candidates at half width (stem 24 ->
# last conv 432 instead of 40 -> 1728), stride-1 stem for 32x32 inputs.
_base_ = [
    '../../_base_/nas_backbones/spos_mobilenet_supernet.py',
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/schedules/digits_bs64_supernet.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='SearchableMobileNet',
        mutable_cfg={{_base_._STAGE_MUTABLE}},
        first_mutable_cfg={{_base_._FIRST_MUTABLE}},
        widen_factor=0.5,
        last_channels=432,
        small_input=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.digits_head, in_channels=432),
)

# one path (each block's first candidate) trains alone
# for 4 epochs and is then copied into every candidate
model = dict(type='SPOS', architecture=supernet, warm_start=dict(epochs=4))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)

default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
