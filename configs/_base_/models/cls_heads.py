# The linear classifier head with label smoothing 0.1 of SPOS, DSNAS,
# PONAS (MMRazor's configs) and the DenseNAS retraining, for the digits and
# for ImageNet-1k. A model config adds its in_channels (and, where it
# differs, its head type): head=dict(_base_.digits_head, in_channels=C).
digits_head = dict(
    type='LinearClsHead',
    num_classes=10,
    loss=dict(
        type='LabelSmoothLoss',
        num_classes=10,
        label_smooth_val=0.1,
        mode='original',
        loss_weight=1.0),
    topk=(1, ),
)
in1k_head = dict(
    digits_head,
    num_classes=1000,
    loss=dict(digits_head['loss'], num_classes=1000),
    topk=(1, 5))
