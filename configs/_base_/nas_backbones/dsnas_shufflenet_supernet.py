# The DSNAS ShuffleNetV2 search space: the SPOS space (20 blocks x 4
# candidates) with differentiable one-hot mutables and BN eps 0.01 (MMRazor
# and the official DSNAS code).
_NORM = dict(type='BN', eps=0.01)
_STAGE_MUTABLE = dict(
    type='OneHotMutableOP',
    candidates=dict(
        shuffle_3x3=dict(type='ShuffleBlock', kernel_size=3, norm_cfg=_NORM),
        shuffle_5x5=dict(type='ShuffleBlock', kernel_size=5, norm_cfg=_NORM),
        shuffle_7x7=dict(type='ShuffleBlock', kernel_size=7, norm_cfg=_NORM),
        shuffle_xception=dict(type='ShuffleXception', norm_cfg=_NORM),
    ))

nas_backbone = dict(
    type='SearchableShuffleNetV2',
    mutable_cfg=_STAGE_MUTABLE,
    arch_setting=[[64, 4], [160, 4], [320, 8], [640, 4]],
    widen_factor=1.0,
    last_channels=1024,
    norm_cfg=_NORM,
)
