# SPOS steps 3 and 4, block + channel search, on digits: retrain a subnet of
# the block + channel space from scratch, then test it. The default is the
# official released block + channel choice list (it fits the digits space,
# which has the same decisions); pass your own with
#   --cfg-options model.subnet=<subnet file>
_base_ = [
    './spos_shufflenet_channel_supernet_1xb64_digits.py',
    '../../_base_/schedules/digits_warmup.py',
]

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='{{fileDirname}}/SPOS_SHUFFLENETV2_BLOCK_CHANNEL_SUBNET.yaml',
    supernet_checkpoint=None,
)

model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=False)
train_cfg = dict(max_epochs=20, val_interval=5)
param_scheduler = [
    _base_.digits_warmup,
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=1,
        end=20,
        convert_to_iter_based=True),
]
