"""Test (evaluate) a model with a config and a checkpoint.

CHECKPOINT may be ``none`` when the config initialises the weights itself
(e.g. a SubnetModel inheriting them from a supernet checkpoint)."""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmnas.utils import (UserError, cli_main, register_all_modules,
                         set_quiet)
from mmnas.utils.config import load_config
from mmnas.utils.launch import setup_launcher


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a model (mmnas)')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file, or "none"')
    parser.add_argument('--work-dir', help='the dir to save logs/metrics')
    parser.add_argument('--out', help='dump the metrics to this JSON file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value (keys must exist)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--quiet',
        action='store_true',
        help='log warnings and errors only, and show no progress bars')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


@cli_main
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.quiet:
        cfg.log_level = 'WARNING'
        set_quiet()
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.checkpoint.lower() == 'none':
        cfg.load_from = None
    elif not osp.isfile(args.checkpoint):
        raise UserError(f'checkpoint {args.checkpoint!r} does not exist; '
                        'pass a .pth written by tools/train.py or "none".')
    else:
        cfg.load_from = args.checkpoint
    cfg.resume = False
    setup_launcher(cfg)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg \
        else RUNNERS.build(cfg)
    metrics = runner.test()
    if args.out and runner.rank == 0:
        import json

        from mmnas.utils import atomic_write
        atomic_write(args.out, json.dumps(metrics, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
