# PONAS step 2 (fine-tuning stage + accuracy table) on the digits data:
# start from the meta-trained supernet (pass it as load_from), fine-tune
# and score the 12 candidates of each searchable layer, layer by layer.
#   python tools/train.py configs/nas/ponas/ponas_table_1xb64_digits.py \
#       --work-dir work_dirs/ponas_table_digits \
#       --cfg-options load_from=work_dirs/ponas_meta_digits/epoch_16.pth
# (--resume with the same --work-dir continues after the last finished layer)
_base_ = ['./ponas_supernet_1xb64_digits.py']

train_cfg = dict(
    _delete_=True,
    type='PONASTableLoop',
    eval_dataloader={{_base_.val_dataloader}},
    evaluator=dict(type='Accuracy', topk=(1, )),
    finetune_iters=12,
    eval_batches=None,
    norm_training=True,
    estimator=dict(type='CostTable', input_shape=(1, 3, 32, 32)),
    seed=0)
# fine-tuning at a constant learning rate (the meta-training start value)
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = []
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = None
test_dataloader = None
test_evaluator = None
default_hooks = dict(checkpoint=None)
