"""Chained cost with alpha/beta one-hot at the derived path vs the exact
count of the derived static net, on a full published DenseNAS space (too
slow for the test suite, which checks tiny spaces).

    python benchmarks/densenas_chained_cost.py {mbv2,resnet} [--size 64]
        [--seed 0]
"""
import argparse
import time

import torch

from mmnas import register_all_modules
from mmnas.estimators import count_static
from mmnas.registry import MODELS


def classifier(backbone, in_channels):
    return dict(
        type='ImageClassifier',
        backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=1000,
            in_channels=in_channels,
            loss=dict(type='CrossEntropyLoss')))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('space', choices=['mbv2', 'resnet'])
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    register_all_modules()
    from mmnas.models.architectures.densenas_supernet import DENSENAS_SPACES
    space = DENSENAS_SPACES[args.space]
    last = space['last_dim'] or space['blocks'][-1][0]
    shape = (1, 3, args.size, args.size)
    start = time.time()
    algo = MODELS.build(
        dict(
            type='DenseNAS',
            architecture=classifier(
                dict(type='DenseNASSupernet', space=args.space), last),
            input_shape=shape))
    gen = torch.Generator().manual_seed(args.seed)
    for m in algo.mutator.mutables:
        with torch.no_grad():
            m.arch_param.copy_(
                torch.randn(m.arch_param.shape, generator=gen) * 2)
    choices, net_config = algo.derive()
    print(f'{args.space}: {len(algo.mutator.search_groups)} decisions; '
          f'derived at {args.size}x{args.size}:\n{net_config}')
    static = MODELS.build(
        classifier(
            dict(
                type='DenseNASNet',
                net_config=net_config,
                act_cfg=space['act_cfg']), last))
    exact = count_static(static, shape)
    for metric in ('flops', 'params'):
        algo.cost_cfg['metric'] = metric
        algo._table = None
        chained = float(algo.cost_of(choices))
        print(f'{metric}: chained one-hot {chained:.0f}, exact '
              f'{exact[metric]}, equal: {chained == exact[metric]}')
    algo.cost_cfg['metric'] = 'flops'
    algo._table = None
    soft = algo.expected_cost(skip_reg=0.).detach().item()
    print(f'expected flops at softmax(logits): {soft:.0f}; '
          f'{time.time() - start:.0f} s')


if __name__ == '__main__':
    main()
