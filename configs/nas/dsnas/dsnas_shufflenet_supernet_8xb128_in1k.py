# DSNAS on ImageNet (MMRazor settings): 15 epochs of weight pre-training,
# joint weight + architecture search until epoch 85, then the argmax subnet
# is fixed and fine-tuned from the search weights until epoch 240.
# The derived subnet is written to the work dir every 10 epochs and at the
# end (subnet_final.yaml); the architecture distribution per epoch to
# arch_distribution.jsonl.
_base_ = [
    '../../_base_/nas_backbones/dsnas_shufflenet_supernet.py',
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/imagenet_bs128_spos.py',
    '../../_base_/schedules/imagenet_bs1024_dsnas.py',
    '../../_base_/default_runtime.py',
]

# DSNAS augments with crop and flip only
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackClsInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.nas_backbone}},
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.in1k_head, in_channels=1024),
)

model = dict(
    type='DSNAS',
    architecture=supernet,
    pretrain_epochs=15,
    finetune_epochs=85,
    # MMRazor: penalise sampled subnets of >= 300 MFLOPs, coefficient 1e-2
    flops_limit=300.0,
    flops_coef=1e-2,
    estimator=dict(type='CostTable', input_shape=(1, 3, 224, 224)),
    # official --early_fix_arch and MMRazor's fix_threshold: a decision whose
    # top-1 probability leads by 0.3 is fixed at its argmax
    early_fix_threshold=0.3,
)

# each rank samples its own path; unsampled candidates get no gradient
# full scope path: mmengine's runner looks the wrapper up in its root
# registry, which reaches only its direct children (mmcls, not mmnas)
model_wrapper_cfg = dict(
    type='mmnas.DSNASDDP',
    broadcast_buffers=False,
    find_unused_parameters=True)

custom_hooks = [
    dict(type='DumpSubnetHook', interval=10),
    dict(type='ArchDistributionHook'),
]
default_hooks = dict(checkpoint=dict(interval=10))
randomness = dict(seed=48, diff_rank_seed=True)
