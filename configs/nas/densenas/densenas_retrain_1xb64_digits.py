# DenseNAS step 2 on the digits data: train the derived network from
# scratch. net_config is the file the search wrote (or a net_config string):
#   python tools/train.py \
#     configs/nas/densenas/densenas_retrain_1xb64_digits.py --cfg-options \
#     model.backbone.net_config=<search work dir>/net_config.txt
# head in_channels = the last width of the net_config (256 for the digits
# MobileNetV2 space; the last block's width for the ResNet one).
_base_ = [
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/schedules/digits_bs64.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='DenseNASNet',
        net_config='work_dirs/densenas_mbv2_search_1xb32_digits/'
        'net_config.txt',
        small_input=True,
        act_cfg=dict(type='ReLU6')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=256,
        loss=dict(
            type='LabelSmoothLoss',
            num_classes=10,
            label_smooth_val=0.1,
            mode='original',
            loss_weight=1.0),
        topk=(1, ),
    ),
)

# the DenseNAS retraining recipe (SGD, cosine) on the digits schedule
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=None)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=15, eta_min=1e-4, by_epoch=True,
         begin=0, end=15, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=15, val_interval=3)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=5, max_keep_ckpts=1))
randomness = dict(seed=0)
