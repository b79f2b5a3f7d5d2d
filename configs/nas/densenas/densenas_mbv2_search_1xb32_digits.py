# DenseNAS search on the digits data (CPU-sized), MobileNetV2-based space:
# 80% of the training images train the weights, 20% the architecture;
# weights alone for the first 4 of 12 epochs, then alternating weight /
# architecture steps.
# The derived net_config.txt and subnet.yaml land in the work dir; retrain
# with densenas_retrain_1xb64_digits.py.
_base_ = [
    '../../_base_/nas_backbones/densenas_digits_spaces.py',
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='DenseNASSupernet',
        space={{_base_.densenas_mbv2_digits}},
        small_input=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=256,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, ),
    ),
)

# the cost term of the DenseNAS MobileNetV2 search (0.15 log(cost) /
# log(target)) on FLOPs, target in MFLOPs at 32x32
model = dict(
    type='DenseNAS',
    architecture=supernet,
    cost=dict(metric='flops', weight=0.15, target=10., unit=1e6),
    estimator=dict(type='CostTable', input_shape=(1, 3, 32, 32)),
)

_split = dict(
    type='SplitDataset',
    dataset={{_base_.train_dataloader.dataset}},
    ratio=0.8,
    seed=0)
# batch 32: more steps per epoch, which a supernet whose ops are sampled
# needs more than large batches
train_dataloader = dict(
    batch_size=32, dataset=dict(_split, part=0, _delete_=True))
# batch 8: one pass over the architecture part per epoch
arch_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(_split, part=1),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

# weights: SGD, cosine; architecture: the DenseNAS
# Adam (betas 0.5/0.999, wd 1e-3) with lr 3e-3 instead of 3e-4, as this
# search has ~300 architecture steps, not ~100k
optim_wrapper = dict(
    constructor='ArchParamOptimWrapperConstructor',
    weights=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5)),
    arch=dict(
        type='OptimWrapper',
        optimizer=dict(
            type='Adam', lr=3e-3, betas=(0.5, 0.999), weight_decay=1e-3)),
)
param_scheduler = dict(
    weights=[
        dict(
            type='CosineAnnealingLR',
            T_max=12,
            eta_min=1e-4,
            by_epoch=True,
            begin=0,
            end=12,
            convert_to_iter_based=True),
    ],
    arch=[],
)
train_cfg = dict(
    type='AlternateEpochBasedTrainLoop',
    arch_dataloader=arch_dataloader,
    arch_begin=4,
    max_epochs=12,
    val_interval=4)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [dict(type='DeriveNetConfigHook', interval=4)]
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=4, max_keep_ckpts=1))
randomness = dict(seed=0)
