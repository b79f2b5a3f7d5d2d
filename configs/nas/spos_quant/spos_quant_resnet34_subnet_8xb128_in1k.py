# SPOS quantization steps 3 and 4: retrain the searched mixed-precision
# ResNet-34 from scratch with quantization-aware training on ImageNet (the
# SPOS recipe), then test it; export it with
# tools/deployment/export_quantized.py. The default subnet path is where the
# search config writes it; point elsewhere with
#   --cfg-options model.subnet=<work dir of step 2>/best_subnet.yaml
# (RESNET34_W{2,3,4}A{2,3,4}.yaml beside this file are the uniform ones).
_base_ = ['./spos_quant_resnet34_supernet_8xb128_in1k.py']

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='work_dirs/spos_quant_resnet34_search_8xb128_in1k/'
    'best_subnet.yaml',
    supernet_checkpoint=None,
)
# the step that writes model.subnet (step 2, the search)
written_by = {
    'model.subnet':
    'python tools/train.py '
    'configs/nas/spos_quant/spos_quant_resnet34_search_8xb128_in1k.py '
    '--cfg-options load_from=<step-1 checkpoint>'
}

model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=False)
