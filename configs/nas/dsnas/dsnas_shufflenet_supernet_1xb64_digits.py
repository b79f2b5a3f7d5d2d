# DSNAS on the embedded digits data (CPU-sized): the DSNAS ShuffleNetV2
# space at half width with a stride-1 stem for 32x32 inputs. 5 epochs of
# weight pre-training, joint search until epoch 15, then the argmax subnet
# is fine-tuned from the search weights until epoch 25 -- no retraining.
_base_ = [
    '../../_base_/nas_backbones/dsnas_shufflenet_supernet.py',
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='SearchableShuffleNetV2',
        mutable_cfg={{_base_._STAGE_MUTABLE}},
        widen_factor=0.5,
        last_channels=512,
        small_input=True,
        norm_cfg={{_base_._NORM}}),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.digits_head, in_channels=512),
)

model = dict(
    type='DSNAS',
    architecture=supernet,
    pretrain_epochs=5,
    finetune_epochs=15,
    flops_limit=None,
    flops_coef=1e-2,
    # the FLOPs of flops_limit; convention='mmrazor' counts as MMRazor does
    estimator=dict(type='CostTable', input_shape=(1, 3, 32, 32)),
    # the first 4 pretrain epochs train one path (every block shuffle_3x3),
    # then copy it into every candidate (docs/algorithms/spos.md)
    warm_start=dict(epochs=4),
    early_fix_threshold=0.3,
)

# the DSNAS optimisers with the weight lr scaled to batch 64 and an arch lr
# of 1e-2: the search has ~230 steps here, not DSNAS' ~90k
optim_wrapper = dict(
    constructor='ArchParamOptimWrapperConstructor',
    weights=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5),
        paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0)),
    arch=dict(
        type='OptimWrapper',
        optimizer=dict(
            type='Adam', lr=1e-2, betas=(0.5, 0.999), weight_decay=0.0)),
)
param_scheduler = dict(
    weights=[
        dict(
            type='LinearLR',
            start_factor=0.2,
            by_epoch=True,
            begin=0,
            end=1,
            convert_to_iter_based=True),
        dict(
            type='CosineAnnealingLR',
            T_max=25,
            by_epoch=True,
            begin=1,
            end=15,
            convert_to_iter_based=True),
        dict(
            type='CosineAnnealingLR',
            T_max=10,
            eta_min=0,
            by_epoch=True,
            begin=15,
            end=25,
            convert_to_iter_based=True),
    ],
    arch=[],
)
train_cfg = dict(by_epoch=True, max_epochs=25, val_interval=5)
val_cfg = dict()
test_cfg = dict()

# full scope path: mmengine's runner looks the wrapper up in its root
# registry, which reaches only its direct children (mmcls, not mmnas)
model_wrapper_cfg = dict(
    type='mmnas.DSNASDDP',
    broadcast_buffers=False,
    find_unused_parameters=True)
custom_hooks = [
    dict(type='DumpSubnetHook', interval=5),
    dict(type='ArchDistributionHook'),
]
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=5, max_keep_ckpts=1))
randomness = dict(seed=0)
