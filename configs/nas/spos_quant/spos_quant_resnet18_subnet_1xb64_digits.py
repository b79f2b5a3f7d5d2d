# SPOS quantization steps 3 and 4 on digits: retrain the mixed-precision
# subnet found by the digits search from scratch with quantization-aware
# training, then test it. The default subnet path is where the search config
# writes it; point elsewhere with
#   --cfg-options model.subnet=<work dir of step 2>/best_subnet.yaml
# (RESNET18_W3A3.yaml beside this file is the uniform 3-bit baseline).
_base_ = [
    './spos_quant_resnet18_supernet_1xb64_digits.py',
    '../../_base_/schedules/digits_warmup.py',
]

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='work_dirs/spos_quant_resnet18_search_1xb64_digits/'
    'best_subnet.yaml',
    supernet_checkpoint=None,
)
# the step that writes model.subnet (step 2, the search)
written_by = {
    'model.subnet':
    'python tools/train.py '
    'configs/nas/spos_quant/spos_quant_resnet18_search_1xb64_digits.py '
    '--cfg-options load_from=<step-1 checkpoint>'
}

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
