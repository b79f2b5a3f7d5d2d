"""How well a latency lookup table ranks subnets: Kendall tau between the
predicted (table sum) and the measured whole-subnet latency of random
subnets of the SPOS ShuffleNetV2 space.

    python benchmarks/bench_latency.py [--subnets 50] [--shape 112]
        [--repeat 10] [--warmup 3] [--rounds 3] [--threads 1]
        [--device cpu|cuda]
"""
import argparse
import os.path as osp
import random
import statistics
import sys
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT,
                  'configs/nas/spos/spos_shufflenet_supernet_8xb128_in1k.py')


def kendall_tau_b(x, y):
    """Kendall's tau-b (ties in either list are allowed)."""
    concordant = discordant = ties_x = ties_y = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denom = ((concordant + discordant + ties_x) *
             (concordant + discordant + ties_y))**0.5
    return (concordant - discordant) / denom if denom else 0.0


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--config', default=CONFIG)
    ap.add_argument('--subnets', type=int, default=50)
    ap.add_argument('--shape', type=int, default=112)
    ap.add_argument('--repeat', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument(
        '--rounds',
        type=int,
        default=3,
        help='time the table and every subnet this many times, '
        'in turn, keeping the fastest')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    ap.add_argument(
        '--clock',
        default='wall',
        choices=['wall', 'cpu'],
        help="wall time, or this thread's CPU time (1 thread)")
    ap.add_argument('--seed', type=int, default=0)
    return ap.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    sys.path.insert(0, ROOT)
    from mmnas import register_all_modules
    from mmnas.estimators import LatencyTable, measure_subnet
    from mmnas.registry import MODELS
    from mmnas.utils.config import load_config
    register_all_modules()
    alg = MODELS.build(load_config(args.config).model).to(args.device)
    arch, mutator = alg.architecture, alg.mutator
    shape = (1, 3, args.shape, args.shape)

    t = time.perf_counter()
    table = LatencyTable.build(
        arch,
        mutator,
        shape,
        args.repeat,
        args.warmup,
        rounds=args.rounds,
        clock=args.clock)
    build_s = time.perf_counter() - t

    rng = random.Random(args.seed)
    subnets = [mutator.sample_choices(rng) for _ in range(args.subnets)]
    predicted = [table.cost(s)['latency'] for s in subnets]
    # rounds over all subnets in turn, keeping each subnet's fastest round:
    # load from other processes only ever adds time, and a burst of it then
    # does not land on a few subnets only
    rounds = [[
        measure_subnet(arch, mutator, s, shape, args.repeat, args.warmup,
                       args.clock) for s in subnets
    ] for _ in range(args.rounds)]
    measured = [min(r) for r in zip(*rounds)]
    tau = kendall_tau_b(predicted, measured)
    # how well two measurements of the same subnets rank alike: the most a
    # predictor can reach on this machine
    noise = kendall_tau_b(rounds[0], rounds[1]) if len(rounds) > 1 else None
    err = [abs(p - m) / m * 100 for p, m in zip(predicted, measured)]

    dev = table.device
    print(f'{osp.basename(args.config)}, input {shape}, {dev["name"]}, '
          f'{dev["threads"]} threads, torch {dev["torch"]}, median of '
          f'{args.repeat} runs after {args.warmup} warm-up (measured: '
          f'fastest of {args.rounds} rounds), {args.clock} clock')
    print(f'| {"":<34} | {"min":>8} | {"median":>8} | {"max":>8} |')
    print(f'|{"-" * 36}|{"-" * 10}|{"-" * 10}|{"-" * 10}|')
    for name, vals in [('measured latency (ms)', measured),
                       ('predicted latency (ms)', predicted),
                       ('|predicted - measured| (%)', err)]:
        print(f'| {name:<34} | {min(vals):>8.2f} | '
              f'{statistics.median(vals):>8.2f} | {max(vals):>8.2f} |')
    print(f'table: {sum(len(v["choices"]) for v in table.space.values())} '
          f'candidates, fixed part {table.fixed_ms:.2f} ms, built in '
          f'{build_s:.1f} s')
    if noise is not None:
        print(f'Kendall tau between measurement rounds 1 and 2 of the same '
              f'subnets (noise ceiling): {noise:.3f}')
    print(f'RESULT: Kendall tau (predicted vs measured) over {len(subnets)} '
          f'random subnets = {tau:.3f}')


if __name__ == '__main__':
    main()
