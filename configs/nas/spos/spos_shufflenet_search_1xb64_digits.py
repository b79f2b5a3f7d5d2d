# SPOS step 2 on digits: a short evolution search on the digits supernet.
#   --cfg-options load_from=<step-1 checkpoint>
_base_ = [
    './spos_shufflenet_supernet_1xb64_digits.py',
    '../../_base_/searches/evolution_digits.py',
]

train_cfg = dict(
    _delete_=True,
    **_base_.evolution_search,
    dataloader=_base_.val_dataloader,
    evaluator=_base_.val_evaluator,
    calibrate_dataloader=_base_.calibrate_dataloader,
    # MFLOPs at 32x32: the digits space spans 2.09..3.39, uniform draws
    # 2.35..3.15 (median 2.71); this keeps the cheapest 23 % of them
    constraints_range=dict(flops=(0., 2.6)))
val_dataloader = dict(num_workers=0, persistent_workers=False)
load_from = None
