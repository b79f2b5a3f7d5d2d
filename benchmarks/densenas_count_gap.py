"""Where the ~3% between the published DenseNAS-A/B/C FLOPs and the
reference's independent count comes from.

Counts each published net_config at 224x224 under both mmnas FLOPs
conventions (conv + linear MACs, and fvcore's FlopCountAnalysis defaults)
and splits the fvcore count by operator: the gap is BatchNorm (2 per
element) plus the global average pool.

    python benchmarks/densenas_count_gap.py
"""
import os.path as osp

from mmnas import register_all_modules
from mmnas.estimators import count_static
from mmnas.estimators.counters import (dummy_input, eval_no_grad,
                                       flop_analysis, traceable, unwrap)
from mmnas.registry import MODELS
from mmnas.utils.config import load_config

CFG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'nas',
    'densenas', 'densenas_{}_8xb128_in1k.py')
# published FLOPs (DenseNAS README) and the reference's independent count
PUBLISHED_M = dict(a=251, b=314, c=361)
INDEPENDENT_M = dict(a=258.8, b=323.3, c=371.3)
SHAPE = (1, 3, 224, 224)


def main():
    register_all_modules()
    print('net | published | MACs (default) | independent | fvcore | '
          'fvcore by operator')
    for name in 'abc':
        model = MODELS.build(load_config(CFG.format(name)).model)
        macs = count_static(model, SHAPE)['flops'] / 1e6
        net = unwrap(model)
        with eval_no_grad(net):
            analysis = flop_analysis(
                traceable(net), (dummy_input(net, SHAPE), ), 'fvcore')
            total = analysis.total() / 1e6
            split = ', '.join(f'{op} {n / 1e6:.3f}M'
                              for op, n in analysis.by_operator().items())
        print(f'DenseNAS-{name.upper()} | {PUBLISHED_M[name]}M | '
              f'{macs:.3f}M | {INDEPENDENT_M[name]}M | {total:.3f}M | '
              f'{split}')


if __name__ == '__main__':
    main()
