"""PONAS deployment time per constraint on the ImageNet search space.

The costs are the real ones of the in1k PONAS space (19 layers x 12
candidates, CostTable at 224x224). A real accuracy table exists only for
the digits space, so the scores are taken from a digits table (TABLE):
in1k layer i uses the scores of digits layer round(i * (n - 1) / 18) for
the same candidate names. The printed times are the exact search only (from
a loaded table to the chosen subnet): the fastest and the median of
--repeat runs (other processes' load only adds time, so the fastest is the
search's own cost); target < 0.1 s.

    python benchmarks/bench_ponas_deploy.py \
        work_dirs/ponas_table_digits/ponas_table.json
"""
import argparse
import statistics
import sys
import time

from mmnas import register_all_modules
from mmnas.estimators import CostTable
from mmnas.registry import MODELS
from mmnas.structures.ponas_table import (SCORE_SCALE, PONASDeployer,
                                          load_table, parse_constraints)
from mmnas.utils.config import load_config

CONFIG = 'configs/nas/ponas/ponas_supernet_8xb128_in1k.py'
DEFAULT_CONSTRAINTS = [
    'flops=260M', 'flops=300M', 'flops=320M', 'flops=350M', 'flops=400M',
    'params=4.5M', 'params=5.0M', 'flops=330M,params=5.0M'
]


def in1k_table(digits: dict):
    """(table with the in1k costs and the digits scores, CostTable)"""
    model = MODELS.build(load_config(CONFIG).model)
    costs = CostTable((1, 3, 224, 224)).bind(model.architecture, model.mutator)
    space = model.mutator.search_space()
    layers = list(space)
    src = digits['layers']
    pick = {
        layer: src[round(i * (len(src) - 1) / (len(layers) - 1))]
        for i, layer in enumerate(layers)
    }
    scores = {}
    for layer in layers:
        row = digits['scores'][pick[layer]]
        missing = set(space[layer]['choices']) - set(row)
        if missing:
            sys.exit(f'the digits table lacks candidates {sorted(missing)}')
        scores[layer] = {c: row[c] for c in space[layer]['choices']}
    return dict(
        digits,
        search_space=space,
        layers=layers,
        scores=scores,
        decided={layer: max(s, key=s.get)
                 for layer, s in scores.items()},
        costs=dict(
            input_shape=[1, 3, 224, 224],
            fixed=dict(costs.fixed),
            candidates={
                layer: {
                    c: dict(costs.candidate_cost(layer, c))
                    for c in space[layer]['choices']
                }
                for layer in layers
            })), costs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('table', help='a digits ponas_table.json')
    parser.add_argument(
        '--constraint',
        action='append',
        help=f'default: {DEFAULT_CONSTRAINTS}')
    parser.add_argument('--repeat', type=int, default=20)
    args = parser.parse_args(argv)
    register_all_modules()
    table, costs = in1k_table(load_table(args.table))
    print(f'in1k PONAS space: {len(table["layers"])} layers x 12 candidates '
          f'(costs: CostTable at 224x224); scores: digits table '
          f'{args.table} ({len(load_table(args.table)["layers"])} layers, '
          'mapped by depth)')
    print(f'{"constraint":<24}{"min ms":>8}{"median ms":>10}{"MFLOPs":>10}'
          f'{"M params":>10}{"score":>9}  ok')
    worst = 0.0
    for spec in args.constraint or DEFAULT_CONSTRAINTS:
        budgets = parse_constraints([spec])
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = PONASDeployer(table).deploy(budgets)
            times.append(time.perf_counter() - start)
        seconds = min(times)
        worst = max(worst, seconds)
        # the subnet's cost counted again from the cost table
        real = costs.cost(result['choices'])
        ok = all(real[m] <= b for m, b in budgets.items())
        print(f'{spec:<24}{seconds * 1000:>8.2f}'
              f'{statistics.median(times) * 1000:>10.2f}'
              f'{real["flops"] / 1e6:>10.1f}{real["params"] / 1e6:>10.3f}'
              f'{result["score"]:>9.2f}  {"yes" if ok else "NO"}')
    print(f'slowest (min over repeats): {worst * 1000:.2f} ms (target < '
          '100 ms); score unit: '
          f'accuracy points, resolution {1 / SCORE_SCALE:g}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
