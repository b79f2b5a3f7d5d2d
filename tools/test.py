"""Test (evaluate) a model with a config and a checkpoint.

CHECKPOINT may be ``none`` when the config initialises the weights itself
(e.g. a SubnetModel inheriting them from a supernet checkpoint)."""
import argparse
import os.path as osp
import sys

from mmnas import register_all_modules
from mmnas.utils import UserError, cli_main
from mmnas.utils.launch import (add_runner_args, build_runner,
                                parse_runner_args, runner_config)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a model (mmnas)')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file, or "none"')
    parser.add_argument('--work-dir', help='the dir to save logs/metrics')
    parser.add_argument('--out', help='dump the metrics to this JSON file')
    add_runner_args(parser)
    return parse_runner_args(parser, argv)


@cli_main
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = runner_config(args)
    if args.checkpoint.lower() == 'none':
        cfg.load_from = None
    elif not osp.isfile(args.checkpoint):
        raise UserError(f'checkpoint {args.checkpoint!r} does not exist; '
                        'pass a .pth written by tools/train.py or "none".')
    else:
        cfg.load_from = args.checkpoint
    cfg.resume = False
    runner = build_runner(cfg)
    metrics = runner.test()
    if args.out and runner.rank == 0:
        import json

        from mmnas.utils import atomic_write
        atomic_write(args.out, json.dumps(metrics, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
