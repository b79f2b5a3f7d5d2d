# SPOS quantization step 2 on digits: evolution search on the digits
# supernet under a BitOps budget, BN re-estimated per candidate.
#   --cfg-options load_from=<step-1 checkpoint>
_base_ = [
    './spos_quant_resnet18_supernet_1xb64_digits.py',
    '../../_base_/searches/evolution_digits.py',
]

# the base search with its estimator replaced: BitOps for the budget, and
# params/FLOPs alongside for the search log
train_cfg = dict(
    _base_.evolution_search,
    _delete_=True,
    dataloader=_base_.val_dataloader,
    # ranked by the likelihood of the true class, not top-1: the best
    # candidates tie at 99.4-99.7 % top-1 on the 359 validation images, and
    # top-1 ranks the uniform 4W4A subnet no higher than 3W3A
    # (docs/algorithms/spos_quantization.md)
    evaluator=[_base_.val_evaluator,
               dict(type='LogLikelihood')],
    score_key='likelihood/log_p',
    calibrate_dataloader=_base_.calibrate_dataloader,
    estimator=[
        dict(type='BitOpsEstimator', input_shape=(1, 3, 32, 32)),
        dict(type='CostTable', input_shape=(1, 3, 32, 32), convention='macs')
    ],
    # 8 generations of 16 candidates: scoring a candidate takes about a
    # second here, and the quantization space has 38 decisions
    max_epochs=8,
    num_candidates=16,
    num_mutation=6,
    num_crossover=6,
    # GBitOps at 32x32: the uniform 3W3A subnet of this space
    # (RESNET18_W3A3.yaml) counts 0.3398 (get_flops.py --convention bitops);
    # candidates within 10 % below it compete at about its budget (the
    # space spans 0.1668..0.5820)
    constraints_range=dict(bitops=(0.3058, 0.3399)))
val_dataloader = dict(num_workers=0, persistent_workers=False)
load_from = None
