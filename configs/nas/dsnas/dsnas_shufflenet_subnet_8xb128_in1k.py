# The DSNAS subnet on its own: by default the one MMRazor searched and
# published (3.33M params, 0.299 GFLOPs by its counter, 73.56 top-1). With
# the checkpoint of a DSNAS run it evaluates that run's fine-tuned subnet:
#   python tools/test.py \
#       configs/nas/dsnas/dsnas_shufflenet_subnet_8xb128_in1k.py none \
#       --cfg-options model.subnet=WORK_DIR/subnet_final.yaml \
#       model.supernet_checkpoint=WORK_DIR/epoch_240.pth
_base_ = ['./dsnas_shufflenet_supernet_8xb128_in1k.py']

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='{{fileDirname}}/DSNAS_SUBNET_IMAGENET_PAPER_ALIAS.yaml',
    supernet_checkpoint=None,
)

# Training this static net from a search checkpoint (supernet_checkpoint)
# is the official code's separate "search-from-search" stage: cosine lr
# 0.34 -> 0 over 160 epochs, no warm-up (DSNAS/configs). The DSNAS config
# already does this in its fine-tune phase.
optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(type='SGD', lr=0.34, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=160,
        eta_min=0,
        by_epoch=True,
        begin=0,
        end=160,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=160)
model_wrapper_cfg = dict(
    _delete_=True,
    type='MMDistributedDataParallel',
    find_unused_parameters=False)
custom_hooks = []
