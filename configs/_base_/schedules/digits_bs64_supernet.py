# Supernet training on the digits data (CPU minutes): the SPOS optimiser
# settings with the learning rate scaled to batch 64, 24 epochs decayed
# linearly to 0. A supernet config adds model.warm_start=dict(epochs=4):
# uniform sampling from scratch stays at chance at this scale
# (docs/algorithms/spos.md).
_base_ = ['./digits_bs64.py']

param_scheduler = [
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=0,
        end=24,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=24, val_interval=24)
