"""Seconds per candidate cost: mmnas CostTable vs MMRazor 1.0's
ResourceEstimator, on the SPOS ShuffleNetV2 space, same machine, same run.

    python benchmarks/bench_cost.py [--subnets 200] [--peer-subnets 20]
        [--shape 224] [--threads 2] [--peer-python /work/peer_venv/bin/python]

What is timed, per candidate subnet:
- ours: ``CostTable.cost(choices)`` (the table is built once; its build time
  is reported apart);
- MMRazor: what its EvolutionSearchLoop does to check a candidate
  (``check_subnet_resources``): set the choices, ``export_fix_subnet`` with
  weight slicing, ``ResourceEstimator.estimate`` (also reported alone).
Checks: the table equals our full fvcore count (``count_subnet``) bit for
bit on every one of ``--subnets`` random subnets, and MMRazor's exact params
of the subnets it timed equal ours. MMRazor runs in its own venv through a
subprocess; mmnas never imports it.
"""
import argparse
import json
import os.path as osp
import random
import statistics
import sys
import time

import torch
from peer import DEFAULT_PYTHON, PEER_PRELUDE, run_peer

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT,
                  'configs/nas/spos/spos_shufflenet_supernet_8xb128_in1k.py')

PEER_SCRIPT = PEER_PRELUDE + r'''
import statistics, time, pathlib
import mmrazor
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmrazor.models.task_modules import ResourceEstimator
from mmrazor.registry import MODELS
from mmrazor.structures import export_fix_subnet
MMLogger.get_instance('peer', log_level='WARNING')
cfg_path = (pathlib.Path(mmrazor.__file__).parent / '.mim' / 'configs' /
            'nas' / 'mmcls' / 'spos' /
            'spos_shufflenet_supernet_8xb128_in1k.py')
model = MODELS.build(Config.fromfile(str(cfg_path)).model)
estimator = ResourceEstimator(input_shape=tuple(args['shape']),
                              units=dict(flops='M', params='M'))
# MMRazor keys its decisions by group id; map them to module names
names = {id(m): n for n, m in model.architecture.named_modules()}
group_of = {names[id(ms[0])]: k
            for k, ms in model.mutator.search_groups.items()}
rows = []
for subnet in args['subnets']:
    t0 = time.perf_counter()
    model.mutator.set_choices({group_of[n]: c for n, c in subnet.items()})
    _, sliced = export_fix_subnet(model, slice_weight=True)
    t1 = time.perf_counter()
    res = estimator.estimate(model=sliced.architecture)
    t2 = time.perf_counter()
    rows.append(dict(check_s=t2 - t0, estimate_s=t2 - t1,
                     mflops=res['flops'], mparams=res['params'],
                     params=sum(p.numel()
                                for p in sliced.architecture.parameters())))
print(json.dumps(dict(mmrazor=mmrazor.__version__, torch=torch.__version__,
                      rows=rows)))
'''


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument(
        '--subnets',
        type=int,
        default=200,
        help='random subnets checked for bit-equality')
    ap.add_argument(
        '--peer-subnets',
        type=int,
        default=20,
        help='of those, how many MMRazor times and checks')
    ap.add_argument('--shape', type=int, default=224)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--peer-python', default=DEFAULT_PYTHON)
    return ap.parse_args()


def peer_costs(python, subnets, shape, threads):
    """MMRazor's check of each subnet, timed in its own venv."""

    def inputs(d):
        arg = osp.join(d, 'args.json')  # too long for a command line
        with open(arg, 'w') as f:
            json.dump(dict(subnets=subnets, shape=shape, threads=threads), f)
        return [arg]

    return run_peer(python, PEER_SCRIPT, inputs, threads)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    sys.path.insert(0, ROOT)
    from mmnas import register_all_modules
    from mmnas.estimators import CostTable, count_subnet
    from mmnas.registry import MODELS
    from mmnas.utils.config import load_config
    register_all_modules()
    alg = MODELS.build(load_config(CONFIG).model)
    arch, mutator = alg.architecture, alg.mutator
    shape = (1, 3, args.shape, args.shape)
    rng = random.Random(args.seed)
    subnets = [dict(mutator.sample_choices(rng)) for _ in range(args.subnets)]

    t = time.perf_counter()
    table = CostTable(shape, cache=False).bind(arch, mutator)
    build_s = time.perf_counter() - t

    reps = max(1, 20000 // len(subnets))
    t = time.perf_counter()
    for _ in range(reps):
        ours = [table.cost(s) for s in subnets]
    ours_s = (time.perf_counter() - t) / (reps * len(subnets))

    full, full_times = [], []
    for s in subnets:
        t = time.perf_counter()
        full.append(count_subnet(arch, mutator, s, shape))
        full_times.append(time.perf_counter() - t)
    equal = sum(a == b for a, b in zip(ours, full))

    peer_subnets = subnets[:args.peer_subnets]
    peer = peer_costs(args.peer_python, peer_subnets, list(shape),
                      args.threads)
    rows = peer['rows']
    peer_check_s = statistics.median(r['check_s'] for r in rows)
    peer_est_s = statistics.median(r['estimate_s'] for r in rows)
    params_agree = sum(r['params'] == o['params'] for r, o in zip(rows, ours))
    mparams_agree = sum(
        abs(r['mparams'] - o['params'] / 1e6) <= 5e-4
        for r, o in zip(rows, ours))
    flops_gap = statistics.mean(r['mflops'] - o['flops'] / 1e6
                                for r, o in zip(rows, ours))

    n, m = len(subnets), len(rows)
    print(f'SPOS ShuffleNetV2 space, input {shape}, {args.threads} threads, '
          f'torch {torch.__version__}, MMRazor {peer["mmrazor"]}')
    print(f'| {"per candidate":<46} | {"seconds":>11} | {"vs ours":>9} |')
    print(f'|{"-" * 48}|{"-" * 13}|{"-" * 11}|')
    for name, sec in [('mmnas CostTable.cost (table sum)', ours_s),
                      ('mmnas count_subnet (full fvcore trace)',
                       statistics.median(full_times)),
                      ('MMRazor ResourceEstimator.estimate only', peer_est_s),
                      ('MMRazor set+export_fix_subnet+estimate', peer_check_s)
                      ]:
        print(f'| {name:<46} | {sec:>11.3e} | {sec / ours_s:>8.0f}x |')
    print(f'CostTable build (once, not cached): {build_s:.2f} s')
    print(f'bit-equal to count_subnet (params and FLOPs): {equal}/{n}')
    print(f'params equal to MMRazor exact count: {params_agree}/{m}; '
          f'to its estimate (M, 3 decimals): {mparams_agree}/{m}')
    print(f'MMRazor FLOPs minus ours (it also counts BN/ReLU/pooling): '
          f'{flops_gap:+.3f} M on average')
    ratio = peer_check_s / ours_s
    ok = ratio >= 100 and equal == n and params_agree == m
    print(f'RESULT: CostTable {ratio:.0f}x faster per candidate than MMRazor '
          f'(estimate alone: {peer_est_s / ours_s:.0f}x), bit-equal '
          f'{equal}/{n}, params agree {params_agree}/{m} -> '
          f'{"PASS" if ok else "FAIL"}')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
