# DenseNAS search, ResNet-based space, as published: a 100-class ImageNet
# subset (folder layout under data/imagenet100/train) split 80% for the
# weights / 20% for the architecture, 70 epochs, architecture steps from
# epoch 10, batch 512 (8 GPUs x 64), FLOPs cost term
# 0.2 log(MFLOPs) / log(3500) with skip stack layers charged a tenth of
# the layer's basic block. The derived net_config.txt / subnet.yaml land in
# the work dir; retrain with a DenseNASNet(net_config=..., act_cfg=ReLU)
# classifier (head in_channels 512).
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
    # DenseNAS' softmax temperature of the ResNet-space logits
    backbone=dict(type='DenseNASSupernet', space='resnet', temperature=0.9),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)

model = dict(
    type='DenseNAS',
    architecture=supernet,
    cost=dict(metric='flops', weight=0.2, target=3500., unit=1e6,
              skip_reg=0.1),
    input_shape=(1, 3, 224, 224),
)
model_wrapper_cfg = dict(type='mmnas.DenseNASDDP', find_unused_parameters=True)

_search_train = dict(
    type='CustomDataset',
    data_root='data/imagenet100',
    data_prefix='train',
    pipeline={{_base_.train_pipeline}})
_split = dict(type='SplitDataset', dataset=_search_train, ratio=0.8, seed=0)
train_dataloader = dict(
    batch_size=64, dataset=dict(_split, part=0, _delete_=True))
arch_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    dataset=dict(_split, part=1),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
# validation on the architecture part (the search never sees ImageNet val)
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        type='SplitDataset',
        dataset=dict(_search_train, pipeline={{_base_.test_pipeline}}),
        ratio=0.8, part=1, seed=0, _delete_=True))
test_dataloader = val_dataloader

optim_wrapper = dict(
    constructor='ArchParamOptimWrapperConstructor',
    architecture=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=4e-5)),
    mutator=dict(
        type='OptimWrapper',
        optimizer=dict(
            type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)),
)
param_scheduler = dict(
    architecture=[
        dict(type='CosineAnnealingLR', T_max=70, eta_min=1e-4,
             by_epoch=True, begin=0, end=70, convert_to_iter_based=True),
    ],
    mutator=[],
)
train_cfg = dict(
    type='AlternateEpochBasedTrainLoop',
    arch_dataloader=arch_dataloader,
    arch_begin=10,
    max_epochs=70,
    val_begin=50,
    val_interval=5)
val_cfg = dict()
test_cfg = dict()

custom_hooks = [dict(type='DeriveNetConfigHook', interval=5)]
