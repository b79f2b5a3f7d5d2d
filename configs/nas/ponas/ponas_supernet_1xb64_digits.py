# PONAS step 1 (meta-training) on the digits data, CPU-sized: the PONAS
# candidates (12 per layer) at quarter width, a stride-1 stem for 32x32
# inputs, and 7 searchable layers (one or two per stage) instead of 19.
_base_ = [
    '../../_base_/nas_backbones/ponas_supernet.py',
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/schedules/digits_bs64.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='SearchablePONAS',
        arch_setting=[[32, 1, 2], [40, 2, 2], [80, 2, 2], [96, 1, 1],
                      [192, 1, 2]],
        widen_factor=0.25,
        last_channels=320,
        small_input=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        _base_.digits_head,
        type='DropoutLinearClsHead',
        in_channels=320,
        dropout_rate=0.2),
)

# one path (every layer k3_e3) trains alone for 4 epochs and is then copied
# into every candidate (docs/algorithms/spos.md)
model = dict(type='SPOS', architecture=supernet, warm_start=dict(epochs=4))
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)

default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = [
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=0,
        end=16,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=16, val_interval=16)
