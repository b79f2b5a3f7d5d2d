# PONAS step 2 on ImageNet: fine-tune and score the 12 candidates of each
# of the 19 layers, layer by layer, from the meta-trained supernet.
#   python tools/train.py configs/nas/ponas/ponas_table_1xb128_in1k.py \
#       --work-dir work_dirs/ponas_table_in1k \
#       --cfg-options load_from=<meta-training checkpoint>
# The paper does not state its fine-tuning budget; these are mmnas' choice:
# 1200 steps per layer (100 per candidate) and 40 validation batches of 128
# (5,120 images) per candidate. One process (see docs/algorithms/ponas.md).
_base_ = ['./ponas_supernet_8xb128_in1k.py']

train_cfg = dict(
    _delete_=True,
    type='PONASTableLoop',
    eval_dataloader={{_base_.val_dataloader}},
    evaluator=dict(type='Accuracy', topk=(1, )),
    finetune_iters=1200,
    eval_batches=40,
    norm_training=True,
    estimator=dict(type='CostTable', input_shape=(1, 3, 224, 224)),
    log_interval=100,
    seed=0)
# fine-tuning at a constant learning rate (batch 128)
optim_wrapper = dict(optimizer=dict(lr=0.01))
param_scheduler = []
model_wrapper_cfg = None
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = None
test_dataloader = None
test_evaluator = None
default_hooks = dict(checkpoint=None)
