# SPOS steps 3 and 4, block + channel search: retrain a subnet of the
# block + channel space from scratch on ImageNet, then test it. The default
# subnet is the block + channel model released with the official SPOS code
# (328M FLOPs, 3.4M params, 74.9 top-1 there).
# Use your own search result with --cfg-options model.subnet=best_subnet.yaml
_base_ = ['./spos_shufflenet_channel_supernet_8xb128_in1k.py']

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='{{fileDirname}}/SPOS_SHUFFLENETV2_BLOCK_CHANNEL_SUBNET.yaml',
    supernet_checkpoint=None,
)

model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=False)
