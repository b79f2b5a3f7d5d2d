"""PONAS deployment: the best architecture under resource constraints, from
an accuracy table alone (no training, no data).

    python tools/ponas_deploy.py TABLE --constraint flops=320M \
        [--constraint params=5.0M] [--latency-lut LUT --constraint latency=8]
        [--out subnet.yaml] [--json]

Constraints are upper bounds on the whole network's cost (FLOPs =
multiply-adds, params, and latency in ms from a latency table of the same
space, e.g. measured on the target device);
K/M/G suffixes allowed. The search is exact (see
mmnas/structures/ponas_table.py); the subnet file it writes is the one the
retrain config takes (``model.subnet``).
"""
import argparse
import json
import os.path as osp
import sys
import time

from mmnas.estimators import build_estimator
from mmnas.structures import dump_subnet
from mmnas.structures.ponas_table import (PONASDeployer, add_costs, load_table,
                                          parse_constraints)
from mmnas.utils import cli_main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='PONAS: deploy the best subnet under constraints')
    parser.add_argument('table', help='ponas_table.json of a PONAS search')
    parser.add_argument(
        '--constraint',
        action='append',
        required=True,
        help='NAME=VALUE upper bound, e.g. flops=320M, params=5.0M, '
        'latency=12 (repeat or comma-join for several)')
    parser.add_argument(
        '--latency-lut',
        help='latency table (tools/analysis/build_latency_lut.py) of the '
        'same space, for latency constraints (ms)')
    parser.add_argument(
        '--out',
        help='subnet file to write (default: ponas_subnet_<constraints>.yaml '
        'beside the table)')
    parser.add_argument(
        '--json',
        action='store_true',
        help='print the result as one JSON line')
    return parser.parse_args(argv)


@cli_main
def main(argv=None):
    args = parse_args(argv)
    budgets = parse_constraints(args.constraint)
    start = time.perf_counter()
    table = load_table(args.table)
    if args.latency_lut:
        table = add_costs(
            table,
            build_estimator(dict(type='LatencyTable', table=args.latency_lut)))
    deployer = PONASDeployer(table)
    result = deployer.deploy(budgets)
    seconds = time.perf_counter() - start
    specs = [s for item in args.constraint for s in item.split(',') if s]
    out = args.out or osp.join(
        osp.dirname(osp.abspath(args.table)),
        'ponas_subnet_' + '_'.join(s.replace('=', '')
                                   for s in specs) + '.yaml')
    dump_subnet(result['choices'], out)
    if args.json:
        print(json.dumps(dict(result, subnet=out, seconds=seconds)))
        return 0
    print('constraints: ' + ', '.join(f'{k} <= {v:.6g}'
                                      for k, v in budgets.items()))
    print('cost: ' + ', '.join(f'{k} {v}' for k, v in result['cost'].items()))
    print(f'table score (accuracy points lost vs the best candidate of '
          f'every layer): {result["score"]:.4f}')
    print(f'expected accuracy: {result["expected_accuracy"]:.2f} '
          f'(table best {deployer.best_accuracy:.2f} + score)')
    print(f'subnet written to {out} (search took {seconds * 1000:.1f} ms)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
