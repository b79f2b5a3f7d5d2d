# DenseNAS-C (MobileNetV2-based space), retrained on ImageNet-1k
# with the DenseNAS settings. Published: 361M FLOPs, 17.9 ms (TITAN-XP), 75.3%
# top-1; its net_config as transcribed in the DenseNAS repository.
_base_ = [
    '../../_base_/datasets/imagenet_bs128_densenas.py',
    '../../_base_/schedules/imagenet_bs1024_densenas.py',
    '../../_base_/default_runtime.py',
]

net_config = (
    "[[16, 16], 'mbconv_k3_t1', [], 0, 1]|"
    "[[16, 24], 'mbconv_k3_t6', [], 0, 2]|"
    "[[24, 48], 'mbconv_k7_t6', ['mbconv_k3_t3'], 1, 2]|"
    "[[48, 72], 'mbconv_k5_t6', ['mbconv_k3_t6', 'mbconv_k3_t3'], 2, 2]|"
    "[[72, 128], 'mbconv_k3_t6', ['mbconv_k3_t3', 'mbconv_k3_t3'], 2, 1]|"
    "[[128, 160], 'mbconv_k3_t6', ['mbconv_k7_t3', 'mbconv_k5_t6', 'mbconv_k7_t3'], 3, 2]|"  # noqa: E501
    "[[160, 176], 'mbconv_k3_t3', ['mbconv_k3_t6', 'mbconv_k3_t6', 'mbconv_k3_t6'], 3, 1]|"  # noqa: E501
    "[[176, 384], 'mbconv_k7_t6', [], 0, 1]|"
    "[[384, 1984], 'conv1_1']")

model = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='DenseNASNet', net_config=net_config),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=1984,
        loss=dict(
            type='LabelSmoothLoss',
            num_classes=1000,
            label_smooth_val=0.1,
            mode='original',
            loss_weight=1.0),
        topk=(1, 5),
    ),
)
