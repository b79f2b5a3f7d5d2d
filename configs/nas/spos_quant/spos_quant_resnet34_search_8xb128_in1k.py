# SPOS quantization step 2: evolution search on the trained ResNet-34
# quantization supernet under a BitOps budget, BN re-estimated on 200
# training batches per candidate (SPOS settings). Pass the checkpoint:
#   --cfg-options load_from=$STEP1_CKPT
_base_ = [
    './spos_quant_resnet34_supernet_8xb128_in1k.py',
    '../../_base_/searches/evolution_in1k.py',
]

# the base search with its estimator replaced: BitOps for the budget, and
# params/FLOPs alongside for the search log
train_cfg = dict(
    _base_.evolution_search,
    _delete_=True,
    dataloader=_base_.val_dataloader,
    evaluator=_base_.val_evaluator,
    calibrate_dataloader=_base_.calibrate_dataloader,
    estimator=[
        dict(type='BitOpsEstimator', input_shape=(1, 3, 224, 224)),
        dict(
            type='CostTable', input_shape=(1, 3, 224, 224), convention='macs')
    ],
    # GBitOps at 224x224 (stem and fc at 8 x 8 included): the uniform 3W3A
    # subnet (RESNET34_W3A3.yaml) counts 39.4928 (get_flops.py --convention
    # bitops); the space spans 11.13..64.31
    constraints_range=dict(bitops=(0., 39.50)))
load_from = None
