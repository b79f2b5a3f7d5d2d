"""Time every candidate op of a supernet config's search space on this
device and save the latency table (JSON, with the device and the space).

    python tools/analysis/build_latency_lut.py CONFIG [--shape H W]
        [--out FILE] [--repeat N] [--warmup N] [--device cpu|cuda]

``LatencyTable(table=FILE).bind(architecture, mutator).cost(choices)``
then predicts a subnet's latency as a sum; a search config selects the same
file with ``dict(type='LatencyTable', table=FILE)``.
"""
import argparse
import os.path as osp

import torch

from mmnas import register_all_modules
from mmnas.estimators import LatencyTable
from mmnas.registry import MODELS
from mmnas.utils import UserError, cli_main, set_quiet
from mmnas.utils.config import (add_cfg_options_argument, add_shape_argument,
                                load_config)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Build a per-candidate latency lookup table')
    parser.add_argument('config', help='supernet config file path')
    add_shape_argument(parser, 'input size (batch 1)')
    parser.add_argument(
        '--out',
        help='table path (default: work_dirs/'
        '<config>/latency_<device>_<H>x<W>.json)')
    parser.add_argument(
        '--repeat',
        type=int,
        default=20,
        help='timed runs per op (median is kept)')
    parser.add_argument(
        '--warmup', type=int, default=5, help='untimed runs per op first')
    parser.add_argument(
        '--rounds',
        type=int,
        default=1,
        help='time all probes this many times in turn and '
        'keep the fastest (for shared machines)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument(
        '--clock',
        default='wall',
        choices=['wall', 'cpu'],
        help='wall time, or (1-thread CPU only) this '
        "thread's CPU time, blind to other processes' load")
    parser.add_argument(
        '--threads', type=int, help='torch threads (default: torch\'s)')
    add_cfg_options_argument(parser)
    parser.add_argument(
        '--quiet',
        action='store_true',
        help='print only the final line (no progress)')
    return parser.parse_args(argv)


@cli_main
def main(argv=None):
    args = parse_args(argv)
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise UserError('--device cuda, but no CUDA device is available; '
                        'use --device cpu or run on a GPU machine.')
    if args.repeat < 1 or args.warmup < 0 or args.rounds < 1:
        raise UserError('--repeat and --rounds must be >= 1 and --warmup '
                        '>= 0.')
    if args.quiet:
        set_quiet()
    if args.threads:
        torch.set_num_threads(args.threads)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    model = MODELS.build(cfg.model)
    if not hasattr(model, 'mutator'):
        raise UserError(f'{args.config!r} builds a static model; a latency '
                        'table needs a supernet config (an algorithm).')
    model.to(args.device)
    h, w = args.shape
    table = LatencyTable.build(
        model.architecture,
        model.mutator, (1, 3, h, w),
        repeat=args.repeat,
        warmup=args.warmup,
        rounds=args.rounds,
        clock=args.clock,
        log=None if args.quiet else print)
    out = args.out or osp.join('work_dirs',
                               osp.splitext(osp.basename(args.config))[0],
                               f'latency_{args.device}_{h}x{w}.json')
    table.save(out)
    n = sum(len(table.space[d]['choices']) for d in table.space)
    print(f'{n} candidates of {len(table.space)} decisions timed on '
          f'{table.device["name"]} ({table.device["threads"]} threads); '
          f'fixed part {table.fixed_ms:.3f} ms -> {out}')


if __name__ == '__main__':
    main()
