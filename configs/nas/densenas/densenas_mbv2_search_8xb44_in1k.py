# DenseNAS search, MobileNetV2-based space, as published: a 100-class
# ImageNet subset (folder layout under data/imagenet100/train) split 80% for
# the weights / 20% for the architecture, 150 epochs, architecture steps
# from epoch 50, batch 352 (8 GPUs x 44), latency cost term
# 0.15 log(ms) / log(15). The latency table is measured on the device at
# hand first:
#   python tools/analysis/build_latency_lut.py \
#     configs/nas/densenas/densenas_mbv2_search_8xb44_in1k.py --device cuda
# (the published target of 15 ms is TITAN-XP batch-32 time; adapt `target`
# to the table's device). The derived net_config.txt / subnet.yaml land in
# the work dir; retrain it like configs/nas/densenas/densenas_a_8xb128_in1k.py
# with model.backbone.net_config=<work dir>/net_config.txt.
_base_ = [
    '../../_base_/datasets/imagenet_bs128_densenas.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        num_classes=100,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(type='DenseNASSupernet', space='mbv2'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=1984,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)

model = dict(
    type='DenseNAS',
    architecture=supernet,
    cost=dict(metric='latency', weight=0.15, target=15., unit=1.),
    estimator=dict(
        type='LatencyTable',
        table='work_dirs/densenas_mbv2_search_8xb44_in1k/'
        'latency_cuda_224x224.json'),
)
model_wrapper_cfg = dict(type='mmnas.DenseNASDDP', find_unused_parameters=True)

_search_train = dict(
    type='CustomDataset',
    data_root='data/imagenet100',
    data_prefix='train',
    pipeline={{_base_.train_pipeline}})
_split = dict(type='SplitDataset', dataset=_search_train, ratio=0.8, seed=0)
train_dataloader = dict(
    batch_size=44, dataset=dict(_split, part=0, _delete_=True))
arch_dataloader = dict(
    batch_size=11,
    num_workers=8,
    persistent_workers=True,
    dataset=dict(_split, part=1),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
# validation on the architecture part (the search never sees ImageNet val)
val_dataloader = dict(
    batch_size=44,
    dataset=dict(
        type='SplitDataset',
        dataset=dict(_search_train, pipeline={{_base_.test_pipeline}}),
        ratio=0.8,
        part=1,
        seed=0,
        _delete_=True))
test_dataloader = val_dataloader

optim_wrapper = dict(
    constructor='ArchParamOptimWrapperConstructor',
    weights=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=4e-5)),
    arch=dict(
        type='OptimWrapper',
        optimizer=dict(
            type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)),
)
param_scheduler = dict(
    weights=[
        dict(
            type='CosineAnnealingLR',
            T_max=150,
            eta_min=1e-4,
            by_epoch=True,
            begin=0,
            end=150,
            convert_to_iter_based=True),
    ],
    arch=[],
)
train_cfg = dict(
    type='AlternateEpochBasedTrainLoop',
    arch_dataloader=arch_dataloader,
    arch_begin=50,
    max_epochs=150,
    val_begin=120,
    val_interval=5)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [dict(type='DeriveNetConfigHook', interval=5)]
