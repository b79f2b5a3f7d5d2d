# DenseNAS-A (MobileNetV2-based space), retrained on ImageNet-1k
# with the DenseNAS settings. Published: 251M FLOPs, 13.6 ms (TITAN-XP), 73.1%
# top-1; its net_config as transcribed in the DenseNAS repository.
_base_ = [
    '../../_base_/models/densenas_mbv2_in1k.py',
    '../../_base_/datasets/imagenet_bs128_densenas.py',
    '../../_base_/schedules/imagenet_bs1024_densenas.py',
    '../../_base_/default_runtime.py',
]

model = dict(backbone=dict(net_config=_base_.densenas_a))
