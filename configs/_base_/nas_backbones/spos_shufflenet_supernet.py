# The SPOS ShuffleNetV2 search space: 20 blocks x 4 candidates.
_STAGE_MUTABLE = dict(
    type='OneShotMutableOP',
    candidates=dict(
        shuffle_3x3=dict(type='ShuffleBlock', kernel_size=3),
        shuffle_5x5=dict(type='ShuffleBlock', kernel_size=5),
        shuffle_7x7=dict(type='ShuffleBlock', kernel_size=7),
        shuffle_xception=dict(type='ShuffleXception'),
    ))

nas_backbone = dict(
    type='SearchableShuffleNetV2',
    mutable_cfg=_STAGE_MUTABLE,
    arch_setting=[[64, 4], [160, 4], [320, 8], [640, 4]],
    widen_factor=1.0,
    last_channels=1024,
)
