# SPOS / MMRazor: SGD lr 0.5 (batch 1024), momentum 0.9, wd 4e-5 with no
# decay on norms, biases and depthwise convs; linear (poly, power 1) decay.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.5, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, dwconv_decay_mult=0.0),
    clip_grad=None,
)
param_scheduler = [
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=0,
        end=300,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=10)
val_cfg = dict()
test_cfg = dict()
# lr above is for 8 GPUs x 128; scale with --auto-scale-lr
auto_scale_lr = dict(base_batch_size=1024)
