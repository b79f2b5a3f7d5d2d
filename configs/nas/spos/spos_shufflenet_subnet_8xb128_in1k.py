# SPOS steps 3 and 4: retrain the searched ShuffleNetV2 subnet from scratch
# on ImageNet (SPOS settings), then test it. The default subnet is the one
# MMRazor searched and published (3.35M params, 0.33 GFLOPs, 73.87 top-1).
# Use your own search result with --cfg-options model.subnet=best_subnet.yaml
_base_ = ['./spos_shufflenet_supernet_8xb128_in1k.py']

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='{{fileDirname}}/SPOS_SUBNET.yaml',
    # a supernet checkpoint here inherits its weights (no retraining needed
    # for a quick evaluation); None trains from scratch
    supernet_checkpoint=None,
)

model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=False)
