# SPOS step 2 for channel search alone on digits: evolution search over the
# hidden widths under a FLOPs limit (exact per-width costs from CostTable).
#   --cfg-options load_from=<step-1 checkpoint>
_base_ = [
    './spos_shufflenet_channelonly_supernet_1xb64_digits.py',
    '../../_base_/searches/evolution_digits.py',
]

train_cfg = dict(
    _delete_=True,
    **_base_.evolution_search,
    dataloader=_base_.val_dataloader,
    evaluator=_base_.val_evaluator,
    calibrate_dataloader=_base_.calibrate_dataloader,
    # MFLOPs at 32x32: the cost of all widths at 1.0x (2.22), so the search
    # redistributes the same budget across blocks
    constraints_range=dict(flops=(0., 2.22)))
val_dataloader = dict(num_workers=0, persistent_workers=False)
load_from = None
