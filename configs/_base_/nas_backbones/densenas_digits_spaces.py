# Small-input (32x32) variants of the two DenseNAS spaces for the digits
# data: stride-1 stem, 7 routing blocks at 32/16/8/4 pixels, one stack
# layer each (none in the fixed first and the last block), each block
# connected to the next 3; MBConv kernels 3 and 5 only (an 8x8 scan
# upscaled to 32x32 has little use for 7x7, and fewer candidates let the
# supernet train in a CPU-sized number of steps).
_MB_OPS = [f'mbconv_k{k}_t{t}' for k in (3, 5) for t in (3, 6)]
densenas_mbv2_digits = dict(
    init_dim=16,
    first_op='mbconv_k3_t1',
    last_dim=256,
    connect=3,
    head_ops=_MB_OPS,
    stack_ops=_MB_OPS + ['skip_connect'],
    act_cfg=dict(type='ReLU6'),
    blocks=[[16, 1, 0], [24, 2, 1], [32, 2, 1], [48, 4, 1], [64, 4, 1],
            [96, 8, 1], [128, 8, 0]])
densenas_resnet_digits = dict(
    init_dim=16,
    first_op='basic_block',
    last_dim=None,
    connect=3,
    head_ops=['basic_block'],
    stack_ops=['basic_block', 'skip_connect'],
    act_cfg=dict(type='ReLU'),
    blocks=[[16, 1, 0], [24, 2, 1], [32, 2, 1], [48, 4, 1], [64, 4, 1],
            [96, 8, 1], [128, 8, 0]])
