# The subnet a digits DSNAS run derived, as a static network with the
# fine-tuned weights of its last checkpoint (no retraining), for
#   python tools/test.py \
#       configs/nas/dsnas/dsnas_shufflenet_subnet_1xb64_digits.py none
# Point it at another run with
#   --cfg-options model.subnet=W/subnet_final.yaml \
#       model.supernet_checkpoint=W/epoch_25.pth
_base_ = [
    './dsnas_shufflenet_supernet_1xb64_digits.py',
    '../../_base_/schedules/digits_warmup.py',
]

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='work_dirs/dsnas_digits/subnet_final.yaml',
    supernet_checkpoint='work_dirs/dsnas_digits/epoch_25.pth',
)
# the step that writes both files (the DSNAS search and fine-tuning)
written_by = {
    'model.subnet':
    'python tools/train.py '
    'configs/nas/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py '
    '--work-dir work_dirs/dsnas_digits',
    'model.supernet_checkpoint':
    'python tools/train.py '
    'configs/nas/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py '
    '--work-dir work_dirs/dsnas_digits',
}

# a static network: one optimizer (the fine-tuning one), no search hooks
optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    _base_.digits_warmup,
    dict(
        type='CosineAnnealingLR',
        T_max=9,
        eta_min=0,
        by_epoch=True,
        begin=1,
        end=10,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=10)
model_wrapper_cfg = dict(
    _delete_=True,
    type='MMDistributedDataParallel',
    find_unused_parameters=False)
custom_hooks = []
