"""Train with a config: supernet training, DSNAS/DenseNAS search, subnet
retraining, and (for configs whose train loop is a search loop) search."""
import argparse
import logging
import os.path as osp
import sys

from mmengine.logging import print_log

from mmnas import register_all_modules
from mmnas.utils import UserError, cli_main
from mmnas.utils.launch import (add_runner_args, build_runner,
                                parse_runner_args, runner_config)


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
    add_runner_args(parser)
    return parse_runner_args(parser, argv)


def merge_args(cfg, args):
    """Apply the training options (--amp, --auto-scale-lr, --resume)."""
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
    return cfg


@cli_main
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = merge_args(runner_config(args), args)
    build_runner(cfg).train()
    return 0


if __name__ == '__main__':
    sys.exit(main())
