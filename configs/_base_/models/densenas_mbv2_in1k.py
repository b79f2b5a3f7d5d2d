# DenseNAS nets of the MobileNetV2-based space as ImageNet-1k classifiers:
# a DenseNASNet from a net_config string (the leaf config sets
# model.backbone.net_config), global pooling, a 1000-way linear head on the
# 1984-wide conv1_1 output, label smoothing 0.1 as in the DenseNAS
# retraining. The runner fills in the dataset base's data_preprocessor.
# The published net_configs (DenseNAS-A/B/C, transcribed from the authors'
# figure) are kept here as data for the leaf configs to pick.
_base_ = ['./cls_heads.py']

densenas_a = (
    "[[16, 16], 'mbconv_k3_t1', [], 0, 1]|"
    "[[16, 24], 'mbconv_k3_t3', [], 0, 2]|"
    "[[24, 48], 'mbconv_k7_t6', ['mbconv_k7_t3'], 1, 2]|"
    "[[48, 72], 'mbconv_k5_t6', ['mbconv_k3_t3', 'mbconv_k5_t3'], 2, 2]|"
    "[[72, 128], 'mbconv_k3_t3', ['mbconv_k3_t3'], 1, 1]|"
    "[[128, 176], 'mbconv_k3_t3', ['mbconv_k3_t6', 'mbconv_k3_t3', 'mbconv_k3_t6'], 3, 2]|"  # noqa: E501
    "[[176, 384], 'mbconv_k5_t6', [], 0, 1]|"
    "[[384, 1984], 'conv1_1']")
densenas_b = (
    "[[16, 16], 'mbconv_k3_t1', [], 0, 1]|"
    "[[16, 24], 'mbconv_k3_t6', [], 0, 2]|"
    "[[24, 48], 'mbconv_k5_t3', ['mbconv_k3_t3', 'mbconv_k3_t3'], 2, 2]|"
    "[[48, 72], 'mbconv_k3_t6', ['mbconv_k3_t3', 'mbconv_k5_t3'], 2, 2]|"
    "[[72, 128], 'mbconv_k3_t6', ['mbconv_k3_t3'], 1, 1]|"
    "[[128, 160], 'mbconv_k3_t6', ['mbconv_k3_t3', 'mbconv_k5_t6', 'mbconv_k5_t3'], 3, 2]|"  # noqa: E501
    "[[160, 176], 'mbconv_k3_t3', ['mbconv_k3_t6', 'mbconv_k3_t6'], 2, 1]|"
    "[[176, 384], 'mbconv_k7_t6', [], 0, 1]|"
    "[[384, 1984], 'conv1_1']")
densenas_c = (
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
    backbone=dict(type='DenseNASNet', net_config=None),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.in1k_head, in_channels=1984),
)
