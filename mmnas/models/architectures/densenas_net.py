"""A static DenseNAS network built from its ``net_config`` string.

The string is the official DenseNAS format: rows separated by ``|``, each a
Python literal ``[[in_ch, out_ch], head_op, [stack_ops...], n_stack,
stride]`` (one routing block: the head op changes width and resolution,
the stack ops keep them), optionally ending with ``[[ch, last_dim],
'conv1_1']`` (1x1 conv + BN + act). The network is: 3x3 stem conv (stride
2, or 1 for small inputs) to the first ``in_ch``, the blocks, the 1x1 conv.
``bottle_neck`` rows give bottleneck widths: the block outputs 4x out_ch.
"""
import ast
import math
import os.path as osp
from typing import List

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmnas.registry import MODELS
from mmnas.utils import UserError, suggest

# DenseNAS op name -> candidate op config (filled with in/out/stride)
DENSENAS_OPS = {
    **{
        f'mbconv_k{k}_t{t}': dict(
            type='MBBlock', kernel_size=k, expand_ratio=t)
        for k in (3, 5, 7) for t in (1, 3, 6)
    },
    'basic_block': dict(type='ResBasicBlock'),
    'bottle_neck': dict(type='ResBottleneck', expansion=4),
    'skip_connect': dict(type='IdentityOrProjection'),
}
# DenseNAS BN: momentum 0.1, eps 1e-3
DENSENAS_NORM = dict(type='BN', eps=1e-3, momentum=0.1)


class NetConfigError(UserError, ValueError):
    """A net_config string that does not describe a DenseNAS network."""


def densenas_op_cfg(name: str, in_channels: int, out_channels: int,
                    stride: int, norm_cfg: dict, act_cfg: dict) -> dict:
    """The config of DenseNAS op ``name`` (skip has no activation)."""
    if name not in DENSENAS_OPS:
        raise NetConfigError(
            f'unknown DenseNAS op {name!r}.{suggest(name, DENSENAS_OPS)} '
            f'Valid ops: {sorted(DENSENAS_OPS)}.')
    cfg = dict(
        DENSENAS_OPS[name],
        in_channels=in_channels,
        out_channels=out_channels,
        stride=stride,
        norm_cfg=norm_cfg)
    if name != 'skip_connect':
        cfg['act_cfg'] = act_cfg
    return cfg


def op_out_channels(name: str, out_ch: int) -> int:
    """Real output width of op ``name`` written with width ``out_ch``."""
    return out_ch * DENSENAS_OPS[name].get('expansion', 1) \
        if name in DENSENAS_OPS else out_ch


def parse_net_config(net_config: str) -> List[list]:
    """Rows of a net_config string (or of the file it names), checked."""
    text = net_config
    if osp.isfile(net_config):
        with open(net_config) as f:
            text = f.read()
    elif net_config.strip() and '[' not in net_config:
        raise NetConfigError(
            f'net_config file {net_config!r} does not exist: pass the '
            'net_config.txt a DenseNAS search wrote (or the rows).')
    rows = []
    for i, raw in enumerate(r for r in text.split('|') if r.strip()):
        try:
            row = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            raise NetConfigError(
                f'net_config row {i} {raw.strip()!r} is not a Python list; '
                "write it as [[in, out], 'op', [stack ops], n, stride] or "
                "[[in, out], 'conv1_1'] (rows joined by '|').")
        ok = isinstance(row, list) and len(row) in (2, 5) and \
            isinstance(row[0], list) and len(row[0]) == 2
        if ok and len(row) == 2:
            ok = row[1] == 'conv1_1' and i > 0
        elif ok:
            ok = isinstance(row[2], list) and row[3] == len(row[2]) and \
                row[4] in (1, 2)
        if not ok:
            raise NetConfigError(
                f'net_config row {i} {row!r} is malformed: a block row is '
                "[[in, out], 'op', [stack ops], len(stack ops), stride 1|2], "
                "the last row may be [[in, out], 'conv1_1'].")
        if rows and row[0][0] != rows[-1][0][1]:
            raise NetConfigError(
                f'net_config row {i} starts at width {row[0][0]} but the '
                f'row before ends at {rows[-1][0][1]}; widths must chain.')
        if rows and len(rows[-1]) == 2:
            raise NetConfigError("net_config: 'conv1_1' must be the last "
                                 'row.')
        rows.append(row)
    if not rows:
        raise NetConfigError('net_config is empty; give the rows of a '
                             'DenseNAS network (or the path of a file '
                             'holding them).')
    return rows


def format_net_config(rows: List[list]) -> str:
    """The net_config string of ``rows`` (one row per line)."""
    return '|\n'.join(repr(r) for r in rows)


def he_fout_init(module: nn.Module) -> None:
    """DenseNAS ``he_fout``: conv weights ~ N(0, 2 / (k*k*out/groups)), BN
    weight 1 and bias 0, for every layer of ``module``."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels \
                / m.groups
            nn.init.normal_(m.weight, 0, math.sqrt(2. / n))
        elif isinstance(m, nn.modules.batchnorm._BatchNorm):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)


@MODELS.register_module()
class DenseNASNet(BaseModule):
    """Static DenseNAS backbone (both search spaces).

    Args:
        net_config (str): The rows (see module doc) or a file holding them.
        small_input (bool): Stride-1 stem, for 32x32 inputs.
        act_cfg (dict): ReLU6 for the MobileNetV2 space, ReLU for ResNet.
        norm_cfg (dict): DenseNAS BN (eps 1e-3, momentum 0.1).
    """

    def __init__(self,
                 net_config: str,
                 small_input: bool = False,
                 act_cfg: dict = dict(type='ReLU6'),
                 norm_cfg: dict = DENSENAS_NORM,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.rows = parse_net_config(net_config)
        self.net_config = format_net_config(self.rows)
        width = self.rows[0][0][0]
        self.stem = ConvModule(
            3,
            width,
            3,
            stride=1 if small_input else 2,
            padding=1,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        self.blocks = nn.ModuleList()
        self.conv1_1 = None
        for row in self.rows:
            if len(row) == 2:
                self.conv1_1 = ConvModule(
                    width, row[0][1], 1, norm_cfg=norm_cfg, act_cfg=act_cfg)
                width = row[0][1]
                continue
            (_, out_ch), head, stack, _, stride = row
            out = op_out_channels(head, out_ch)
            ops = [
                densenas_op_cfg(head, width, out, stride, norm_cfg, act_cfg)
            ]
            ops += [
                densenas_op_cfg(name, out, out, 1, norm_cfg, act_cfg)
                for name in stack
            ]
            self.blocks.append(nn.Sequential(*map(MODELS.build, ops)))
            width = out
        self.out_channels = width

    def init_weights(self) -> None:
        super().init_weights()
        if self.init_cfg is None:
            he_fout_init(self)

    def forward(self, x: torch.Tensor):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        if self.conv1_1 is not None:
            x = self.conv1_1(x)
        return (x, )
