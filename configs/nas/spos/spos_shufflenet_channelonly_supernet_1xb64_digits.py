# SPOS channel search alone on digits: every block is a 3x3 ShuffleNetV2
# unit whose hidden width is searched (decisions '<block>.channel').
_base_ = ['./spos_shufflenet_channel_supernet_1xb64_digits.py']

supernet = dict(
    backbone=dict(
        mutable_cfg=dict(
            _delete_=True,
            type='OneShotMutableChannel',
            choices={{_base_._CHANNEL_SCALES}},
            op=dict(type='ShuffleBlock', kernel_size=3))))
model = dict(architecture=supernet)
