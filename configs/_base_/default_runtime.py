default_scope = 'mmnas'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # checkpoints (atomic_local backend, mmnas/utils/checkpoint_io.py) and
    # the last_checkpoint pointer are written temp-then-rename; --resume
    # gets past a damaged pointer (AtomicCheckpointHook)
    checkpoint=dict(
        type='AtomicCheckpointHook',
        interval=1,
        max_keep_ckpts=3,
        save_last=True,
        backend_args=dict(backend='atomic_local')),
    # refuse a load_from / --resume checkpoint of another model
    checkpoint_match=dict(type='CheckpointMatchHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # per-epoch seeds: a run resumed after a kill draws what the
    # uninterrupted run drew
    epoch_seed=dict(type='EpochSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
    # training on CPU in channels_last (NHWC), measured faster per space in
    # docs/benchmarks.md; a config sets it to None where it is slower, and
    # --cfg-options default_hooks.memory_format=None turns it off
    memory_format=dict(type='ChannelsLastHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo where CUDA is absent
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ClsVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=None, deterministic=False)
