"""Where the ~3% between two counts of DenseNAS-A/B/C comes from.

Prints, per published net_config at 224x224: conv+linear multiply-adds
(``count_static``, what tools/analysis/get_flops.py reports), params, and
the element counts of the layers a MAC counter ignores (BatchNorm outputs,
activation outputs, residual additions), to compare with the published
FLOPs and with the independent count of the reference notes.

    python benchmarks/densenas_count_gap.py
"""
import os.path as osp

import torch
import torch.nn as nn

from mmnas.estimators import count_static
from mmnas.models.ops import MBBlock
from mmnas.registry import MODELS
from mmnas.utils import register_all_modules
from mmnas.utils.config import load_config

CFG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs',
               'nas', 'densenas', 'densenas_{}_8xb128_in1k.py')
# published FLOPs (DenseNAS README) and the reference's independent count
PUBLISHED_M = dict(a=251, b=314, c=361)
INDEPENDENT_M = dict(a=258.8, b=323.3, c=371.3)


def elementwise_counts(model: nn.Module) -> dict:
    counts = dict(bn=0, act=0, add=0)

    def hook(key):
        def count(module, args, out):
            counts[key] += out.numel()
        return count

    handles = []
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            handles.append(m.register_forward_hook(hook('bn')))
        elif isinstance(m, (nn.ReLU, nn.ReLU6)):
            handles.append(m.register_forward_hook(hook('act')))
        elif isinstance(m, MBBlock) and m.with_res_shortcut:
            handles.append(m.register_forward_hook(hook('add')))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    for h in handles:
        h.remove()
    return counts


def main():
    register_all_modules()
    print('net | conv+linear MACs | params | published | independent | '
          'excess | BN + act + add elements')
    for name in 'abc':
        model = MODELS.build(load_config(CFG.format(name)).model)
        cost = count_static(model, (1, 3, 224, 224))
        el = elementwise_counts(model)
        excess = INDEPENDENT_M[name] - cost['flops'] / 1e6
        print(f'DenseNAS-{name.upper()} | {cost["flops"] / 1e6:.2f}M | '
              f'{cost["params"] / 1e6:.3f}M | {PUBLISHED_M[name]}M | '
              f'{INDEPENDENT_M[name]}M | {excess:.2f}M | '
              f'{sum(el.values()) / 1e6:.2f}M (BN {el["bn"] / 1e6:.2f}, '
              f'act {el["act"] / 1e6:.2f}, add {el["add"] / 1e6:.2f})')


if __name__ == '__main__':
    main()
