# SPOS step 2, block + channel search, on digits: a short evolution search
# over units and hidden widths.
#   --cfg-options load_from=<step-1 checkpoint>
_base_ = ['./spos_shufflenet_channel_supernet_1xb64_digits.py']

calibrate_dataloader = dict(
    batch_size=64,
    num_workers=0,
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
    calibrate_bn_iters=4,
    max_epochs=4,
    num_candidates=10,
    top_k=3,
    num_mutation=4,
    num_crossover=4,
    mutate_prob=0.1,
    # MFLOPs at 32x32: the cost of 3x3 units at 1.0x width everywhere
    constraints_range=dict(flops=(0., 2.22)),
    input_shape=(1, 3, 32, 32),
    score_key='accuracy/top1',
    seed=0,
)
val_dataloader = dict(num_workers=0, persistent_workers=False)
load_from = None
