# SPOS step 2 on the MobileNet space with digits: a short evolution search.
#   --cfg-options load_from=<step-1 checkpoint>
_base_ = [
    './spos_mobilenet_supernet_1xb64_digits.py',
    '../../_base_/searches/evolution_digits.py',
]

train_cfg = dict(
    _delete_=True,
    **_base_.evolution_search,
    dataloader=_base_.val_dataloader,
    evaluator=_base_.val_evaluator,
    calibrate_dataloader=_base_.calibrate_dataloader,
    # MFLOPs at 32x32 for the half-width digits space
    constraints_range=dict(flops=(0., 20.)))
val_dataloader = dict(num_workers=0, persistent_workers=False)
load_from = None
