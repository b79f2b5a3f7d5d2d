# SPOS step 1, block + channel search, on the embedded digits data
# (CPU-sized): the same space at quarter width (as the block-search digits
# config) with a stride-1 stem.
_base_ = [
    '../../_base_/nas_backbones/spos_shufflenet_channel_supernet.py',
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

# one unit per block (shuffle_3x3, widths still sampled) trains alone for 8
# epochs and is then copied into every candidate. Twice the block search's
# schedule: with 10 widths per block as well, 24 epochs (warm start 4) left
# the median of 20 random subnets at 76.9 % (docs/algorithms/spos.md).
model = dict(type='SPOS', architecture=supernet, warm_start=dict(epochs=8))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)

param_scheduler = [
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=0,
        end=48,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=48, val_interval=48)

default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
