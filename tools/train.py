"""Train with a config: supernet training, DSNAS/DenseNAS search, subnet
retraining, and (for configs whose train loop is a search loop) search."""
import argparse
import logging
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmnas.utils import (UserError, cli_main, register_all_modules,
                         set_quiet)
from mmnas.utils.config import load_config
from mmnas.utils.launch import setup_launcher


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model (mmnas)')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, without a value, from '
        'the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate with the real total batch size')
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


def merge_args(cfg, args):
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        wrapper = cfg.optim_wrapper
        if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            print_log('AMP is already on in the config', level=logging.INFO)
        elif wrapper.get('type', 'OptimWrapper') != 'OptimWrapper':
            raise UserError(f'--amp works with a single OptimWrapper; this '
                            f'config uses {wrapper.type}. Set the AMP wrapper '
                            'in the config instead.')
        else:
            wrapper.type = 'AmpOptimWrapper'
            wrapper.setdefault('loss_scale', 'dynamic')
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise UserError('--auto-scale-lr needs `auto_scale_lr = dict('
                            'base_batch_size=N)` in the config.')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise UserError(f'--resume {args.resume!r}: no such checkpoint. '
                            'Give an existing .pth or use --resume alone to '
                            'continue from the work dir.')
        cfg.resume = True
        cfg.load_from = args.resume
    cfg.launcher = args.launcher
    if args.quiet:
        cfg.log_level = 'WARNING'
        set_quiet()
    return cfg


@cli_main
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    cfg = merge_args(cfg, args)
    setup_launcher(cfg)
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    runner.train()
    return 0


if __name__ == '__main__':
    sys.exit(main())
