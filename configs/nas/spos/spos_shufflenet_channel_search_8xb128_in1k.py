# SPOS step 2, block + channel search: evolution search over units and
# hidden widths on the trained supernet under the SPOS FLOPs limit (the
# official released block + channel model counts 326.65 MFLOPs here).
#   --cfg-options load_from=$STEP1_CKPT
_base_ = ['./spos_shufflenet_channel_supernet_8xb128_in1k.py']

# BN statistics of each candidate are re-estimated on training images
# (200 batches x 128 per GPU), read without augmentation.
calibrate_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    dataset=dict(
        type={{_base_.dataset_type}},
        data_root={{_base_.data_root}},
        data_prefix='train',
        pipeline={{_base_.test_pipeline}}),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

train_cfg = dict(
    _delete_=True,
    type='EvolutionSearchLoop',
    dataloader={{_base_.val_dataloader}},
    evaluator={{_base_.val_evaluator}},
    calibrate_dataloader=calibrate_dataloader,
    calibrate_bn_iters=200,
    max_epochs=20,
    num_candidates=50,
    top_k=10,
    num_mutation=25,
    num_crossover=25,
    mutate_prob=0.1,
    # MFLOPs (multiply-adds of conv + linear layers at input_shape)
    constraints_range=dict(flops=(0., 330.)),
    input_shape=(1, 3, 224, 224),
    score_key='accuracy/top1',
    seed=0,
)
load_from = None
