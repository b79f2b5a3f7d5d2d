# The digits schedule with the DenseNAS retraining recipe: plain SGD
# (weight decay on every parameter), cosine decay over 15 epochs, after
# the one-epoch warm-up every digits retraining has.
_base_ = [
    './digits_bs64.py',
    './digits_warmup.py',
]

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=None)
param_scheduler = [
    _base_.digits_warmup,
    dict(
        type='CosineAnnealingLR',
        T_max=14,
        eta_min=1e-4,
        by_epoch=True,
        begin=1,
        end=15,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=15, val_interval=3)
