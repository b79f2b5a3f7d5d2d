# SPOS step 2, block + channel search: evolution search over units and
# hidden widths on the trained supernet under the SPOS FLOPs limit (the
# official released block + channel model counts 326.65 MFLOPs here).
#   --cfg-options load_from=$STEP1_CKPT
_base_ = [
    './spos_shufflenet_channel_supernet_8xb128_in1k.py',
    '../../_base_/searches/evolution_in1k.py',
]

train_cfg = dict(
    _delete_=True,
    **_base_.evolution_search,
    dataloader=_base_.val_dataloader,
    evaluator=_base_.val_evaluator,
    calibrate_dataloader=_base_.calibrate_dataloader,
    # MFLOPs (multiply-adds of conv + linear layers at input_shape)
    constraints_range=dict(flops=(0., 330.)))
load_from = None
