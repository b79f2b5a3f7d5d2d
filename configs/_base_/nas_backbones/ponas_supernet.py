# The PONAS search space: 19 MBConv layers x 12 candidates
# (kernel 3/5/7 x expansion 3/6 x SE off/on), MobileNetV2 widths.
nas_backbone = dict(
    type='SearchablePONAS',
    arch_setting=[[32, 2, 2], [40, 4, 2], [80, 4, 2], [96, 4, 1], [192, 4, 2],
                  [320, 1, 1]],
    widen_factor=1.0,
    last_channels=1280,
)
