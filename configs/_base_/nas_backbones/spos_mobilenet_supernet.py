# The SPOS MobileNet (ProxylessNAS-GPU) search space of MMRazor: a fixed
# MBConv k3 e1 block, then 21 blocks x 7 candidates (MBConv k3/5/7 x e3/6,
# identity). ReLU6 everywhere.
_STAGE_MUTABLE = dict(
    type='OneShotMutableOP',
    candidates=dict(
        mb_k3e3=dict(
            type='MBBlock',
            kernel_size=3,
            expand_ratio=3,
            act_cfg=dict(type='ReLU6')),
        mb_k5e3=dict(
            type='MBBlock',
            kernel_size=5,
            expand_ratio=3,
            act_cfg=dict(type='ReLU6')),
        mb_k7e3=dict(
            type='MBBlock',
            kernel_size=7,
            expand_ratio=3,
            act_cfg=dict(type='ReLU6')),
        mb_k3e6=dict(
            type='MBBlock',
            kernel_size=3,
            expand_ratio=6,
            act_cfg=dict(type='ReLU6')),
        mb_k5e6=dict(
            type='MBBlock',
            kernel_size=5,
            expand_ratio=6,
            act_cfg=dict(type='ReLU6')),
        mb_k7e6=dict(
            type='MBBlock',
            kernel_size=7,
            expand_ratio=6,
            act_cfg=dict(type='ReLU6')),
        identity=dict(type='IdentityOrProjection'),
    ))

_FIRST_MUTABLE = dict(
    type='OneShotMutableOP',
    candidates=dict(
        mb_k3e1=dict(
            type='MBBlock',
            kernel_size=3,
            expand_ratio=1,
            act_cfg=dict(type='ReLU6')), ))

nas_backbone = dict(
    type='SearchableMobileNet',
    mutable_cfg=_STAGE_MUTABLE,
    first_mutable_cfg=_FIRST_MUTABLE,
    # [out channels, number of blocks, stride of the first block]
    arch_setting=[[24, 1, 1], [32, 4, 2], [56, 4, 2], [112, 4, 2], [128, 4, 1],
                  [256, 4, 2], [432, 1, 1]],
    widen_factor=1.0,
    first_channels=40,
    last_channels=1728,
)
