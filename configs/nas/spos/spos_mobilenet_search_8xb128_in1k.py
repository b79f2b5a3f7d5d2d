# SPOS step 2 on the MobileNet space: evolution search on the trained
# supernet under MMRazor's 465 MFLOPs limit. Pass the supernet checkpoint:
#   --cfg-options load_from=$STEP1_CKPT
_base_ = [
    './spos_mobilenet_supernet_8xb128_in1k.py',
    '../../_base_/searches/evolution_in1k.py',
]

train_cfg = dict(
    _delete_=True,
    **_base_.evolution_search,
    dataloader=_base_.val_dataloader,
    evaluator=_base_.val_evaluator,
    calibrate_dataloader=_base_.calibrate_dataloader,
    # MFLOPs (multiply-adds of conv + linear layers at input_shape)
    constraints_range=dict(flops=(0., 465.)))
load_from = None
