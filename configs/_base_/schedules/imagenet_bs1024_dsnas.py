# DSNAS / MMRazor, 8 GPUs x 128: SGD lr 0.5 for the weights (no decay on
# norms and biases), Adam lr 1e-3 betas (0.5, 0.999) for the architecture
# logits. Weights: linear warm-up over 5 epochs, cosine to epoch 85 (end of
# the search), a second cosine over the fine-tuning epochs 85-240.
optim_wrapper = dict(
    constructor='ArchParamOptimWrapperConstructor',
    weights=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.5, momentum=0.9, weight_decay=4e-5),
        paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0)),
    arch=dict(
        type='OptimWrapper',
        optimizer=dict(
            type='Adam', lr=1e-3, betas=(0.5, 0.999), weight_decay=0.0)),
)
param_scheduler = dict(
    weights=[
        dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0, end=5),
        dict(
            type='CosineAnnealingLR',
            T_max=240,
            by_epoch=True,
            begin=5,
            end=85),
        dict(
            type='CosineAnnealingLR',
            T_max=160,
            eta_min=0,
            by_epoch=True,
            begin=85,
            end=240),
    ],
    arch=[],
)
train_cfg = dict(by_epoch=True, max_epochs=240, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=1024)
