# DenseNAS search, ResNet-based space, as published: a 100-class ImageNet
# subset (folder layout under data/imagenet100/train) split 80% for the
# weights / 20% for the architecture, 70 epochs, architecture steps from
# epoch 10, batch 512 (8 GPUs x 64), FLOPs cost term
# 0.2 log(MFLOPs) / log(3500) with skip stack layers charged a tenth of
# the layer's basic block. The derived net_config.txt / subnet.yaml land in
# the work dir; retrain with a DenseNASNet(net_config=..., act_cfg=ReLU)
# classifier (head in_channels 512).
# Everything else (data split, optimisers, hooks) is the MobileNetV2 search.
_base_ = ['./densenas_mbv2_search_8xb44_in1k.py']

model = dict(
    architecture=dict(
        # DenseNAS' softmax temperature of the ResNet-space logits
        backbone=dict(space='resnet', temperature=0.9),
        head=dict(in_channels=512)),
    cost=dict(
        _delete_=True,
        metric='flops',
        weight=0.2,
        target=3500.,
        unit=1e6,
        skip_reg=0.1),
    estimator=dict(
        _delete_=True, type='CostTable', input_shape=(1, 3, 224, 224)),
)
supernet = None  # the MobileNetV2 one of the base; the model has its own

train_dataloader = dict(batch_size=64)
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
param_scheduler = dict(weights=[
    dict(
        type='CosineAnnealingLR',
        T_max=70,
        eta_min=1e-4,
        by_epoch=True,
        begin=0,
        end=70,
        convert_to_iter_based=True),
])
train_cfg = dict(
    arch_dataloader=dict(batch_size=16),
    arch_begin=10,
    max_epochs=70,
    val_begin=50)
arch_dataloader = None  # set inside train_cfg
