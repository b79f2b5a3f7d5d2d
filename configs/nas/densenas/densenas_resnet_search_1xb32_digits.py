# DenseNAS search on the digits data (CPU-sized), ResNet-based space: the
# MobileNetV2 digits search with the ResNet space, its cost term and a
# smaller weight learning rate.
# The derived net_config.txt and subnet.yaml land in the work dir; retrain
# with densenas_retrain_1xb64_digits.py (model.backbone.act_cfg.type=ReLU,
# model.head.in_channels=128).
_base_ = ['./densenas_mbv2_search_1xb32_digits.py']

model = dict(
    architecture=dict(
        backbone=dict(
            space=dict(_delete_=True, **_base_.densenas_resnet_digits),
            # DenseNAS' softmax temperature of the ResNet-space logits
            temperature=0.9),
        head=dict(in_channels=128)),
    # the cost term of the DenseNAS ResNet search (0.2 log(cost) /
    # log(target)) on FLOPs, target in MFLOPs at 32x32; a skip stack layer is
    # charged a tenth of the layer's basic block, as in DenseNAS
    cost=dict(
        _delete_=True,
        metric='flops',
        weight=0.2,
        target=100.,
        unit=1e6,
        skip_reg=0.1),
)
supernet = None  # the MobileNetV2 one of the base; the model has its own

# lr 0.03: at 0.1 this supernet's loss stayed at ln 10 for 6 epochs
optim_wrapper = dict(weights=dict(optimizer=dict(lr=0.03)))
