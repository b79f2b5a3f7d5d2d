"""What channel search costs in speed: supernet build time and the time of
one SPOS training step (sample a path, forward, backward, SGD) of the
ShuffleNetV2 digits supernet with block search alone vs block + channel
search (random widths, and every width at 1.0x, which isolates the cost of
slicing from the cost of wider layers), plus count_subnet per candidate.

    OMP_NUM_THREADS=1 python benchmarks/bench_channel_search.py [--steps 10]

Prints one JSON line. Only ratios measured in the same run mean much on a
shared machine.
"""
import argparse
import json
import os.path as osp
import random
import statistics
import time

import torch
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import count_subnet
from mmnas.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = dict(
    block=osp.join(
        ROOT, 'configs/nas/spos/'
        'spos_shufflenet_supernet_1xb64_digits.py'),
    block_channel=osp.join(
        ROOT, 'configs/nas/spos/'
        'spos_shufflenet_channel_supernet_1xb64_digits.py'),
)


def bench(path, steps, batch, width=None):
    t = time.perf_counter()
    model = MODELS.build(Config.fromfile(path).model)
    build_s = time.perf_counter() - t
    if width is not None:  # sample units only, every width at ``width``
        sample = model.sample_subnet
        model.sample_subnet = lambda: {
            k: width if k.endswith('.channel') else v
            for k, v in sample().items()
        }
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32)
    from mmcls.structures import ClsDataSample
    samples = [ClsDataSample().set_gt_label(i % 10) for i in range(batch)]
    times = []
    for i in range(steps + 2):
        t = time.perf_counter()
        losses = model(x, samples, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 2:  # warm-up
            times.append(time.perf_counter() - t)
    rng = random.Random(0)
    count_times = []
    for _ in range(3):
        choices = model.mutator.sample_choices(rng)
        t = time.perf_counter()
        count_subnet(model.architecture, model.mutator, choices,
                     (1, 3, 32, 32))
        count_times.append(time.perf_counter() - t)
    return dict(
        params=sum(p.numel() for p in model.parameters()),
        build_s=round(build_s, 2),
        step_s_median=round(statistics.median(times), 4),
        count_subnet_s_median=round(statistics.median(count_times), 3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--batch', type=int, default=64)
    args = parser.parse_args()
    register_all_modules()
    torch.manual_seed(0)
    result = dict(threads=torch.get_num_threads(), batch=args.batch)
    for name, path in CONFIGS.items():
        result[name] = bench(path, args.steps, args.batch)
    result['block_channel_at_1x'] = bench(
        CONFIGS['block_channel'], args.steps, args.batch, width=1.0)
    for name in ('block_channel', 'block_channel_at_1x'):
        result[f'{name}_step_ratio'] = round(
            result[name]['step_s_median'] / result['block']['step_s_median'],
            2)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
