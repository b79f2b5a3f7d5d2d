# A DenseNAS net of the digits MobileNetV2 space (small-input stem, ReLU6)
# as a 10-way classifier. net_config is the file a digits search wrote (or
# a net_config string); head in_channels is the net's last width (256 for
# this space; the last block's width for the ResNet one). The runner fills
# in the dataset base's data_preprocessor.
_base_ = ['./cls_heads.py']

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='DenseNASNet',
        net_config='work_dirs/densenas_mbv2_search_1xb32_digits/'
        'net_config.txt',
        small_input=True,
        act_cfg=dict(type='ReLU6')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.digits_head, in_channels=256),
)
