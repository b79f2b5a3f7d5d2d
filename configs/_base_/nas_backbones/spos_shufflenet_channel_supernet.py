# SPOS channel search on the ShuffleNetV2 space. Each block chooses one of
# the four units (decision '<block>') and, separately, the hidden width of
# its branch as a multiple of the default out/2 (decision '<block>.channel',
# shared by the block's four candidates). Multipliers: 0.2x..2.0x, the range
# the issue gives for the SPOS paper; the official code searches
# [0.2, ..., 1.6].
_CHANNEL_SCALES = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0]

# block + channel search (the paper's combined result)
_STAGE_MUTABLE = dict(
    type='OneShotMutableOP',
    candidates=dict(
        shuffle_3x3=dict(
            type='OneShotMutableChannel',
            choices=_CHANNEL_SCALES,
            op=dict(type='ShuffleBlock', kernel_size=3)),
        shuffle_5x5=dict(
            type='OneShotMutableChannel',
            choices=_CHANNEL_SCALES,
            op=dict(type='ShuffleBlock', kernel_size=5)),
        shuffle_7x7=dict(
            type='OneShotMutableChannel',
            choices=_CHANNEL_SCALES,
            op=dict(type='ShuffleBlock', kernel_size=7)),
        shuffle_xception=dict(
            type='OneShotMutableChannel',
            choices=_CHANNEL_SCALES,
            op=dict(type='ShuffleXception')),
    ))

# channel search alone: every block a 3x3 unit of searchable width
_CHANNEL_MUTABLE = dict(
    type='OneShotMutableChannel',
    choices=_CHANNEL_SCALES,
    op=dict(type='ShuffleBlock', kernel_size=3))

nas_backbone = dict(
    type='SearchableShuffleNetV2',
    mutable_cfg=_STAGE_MUTABLE,
    arch_setting=[[64, 4], [160, 4], [320, 8], [640, 4]],
    widen_factor=1.0,
    last_channels=1024,
)
