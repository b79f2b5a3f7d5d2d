# SPOS steps 3 and 4 on the MobileNet space: retrain a subnet from scratch on
# ImageNet (SPOS settings), then test it. The default subnet is the AngleNAS
# one MMRazor published (5.94M params, 0.49 GFLOPs, 75.98 top-1).
# Use your own search result with --cfg-options model.subnet=best_subnet.yaml
_base_ = ['./spos_mobilenet_supernet_8xb128_in1k.py']

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='{{fileDirname}}/SPOS_MOBILENET_490M_FROM_ANGELNAS.yaml',
    # a supernet checkpoint here inherits its weights; None trains from
    # scratch
    supernet_checkpoint=None,
)

model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=False)
