# DenseNAS retraining: 240 epochs, SGD lr 0.5 (batch 1024) cosine to 1e-5,
# momentum 0.9, weight decay 4e-5.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.5, momentum=0.9, weight_decay=4e-5))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=240,
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=240,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=240, val_interval=10)
val_cfg = dict()
test_cfg = dict()
# lr above is for 8 GPUs x 128; scale with --auto-scale-lr
auto_scale_lr = dict(base_batch_size=1024)
