"""What tools/train.py and tools/test.py share: their runner options, the
config they make from them, and the runner, with the distributed settings
that depend on the machine rather than on the config."""
import argparse
import os
import os.path as osp

import torch
import torch.distributed as dist
from mmengine.config import DictAction

from .errors import UserError
from .progress import set_quiet


def setup_launcher(cfg) -> None:
    """Make ``tools/dist_train.sh CONFIG 2`` work without CUDA.

    mmengine's launcher always pins a CUDA device; on a CPU-only machine the
    process group is started here with gloo instead (the runner then finds
    it initialised). With CUDA nothing changes (nccl from the config).
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise UserError(f'--launcher {launcher} needs CUDA devices; on a CPU '
                        'machine use tools/dist_train.sh (torchrun, gloo).')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None  # CPU modules take no device ids
    cfg.model_wrapper_cfg = wrapper
    env = cfg.setdefault('env_cfg', {})
    env.setdefault('dist_cfg', {})['backend'] = 'gloo'
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """The options every runner tool takes besides its own."""
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


def parse_runner_args(parser: argparse.ArgumentParser, argv=None):
    """Parse; a launcher that passes ``--local-rank`` (not the env var)
    gets it into ``LOCAL_RANK`` for mmengine."""
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def runner_config(args):
    """The config of ``args.config`` with ``--cfg-options``, the launcher,
    ``--quiet`` and the work dir (``--work-dir``, the config's, or
    ``work_dirs/<config name>``) applied."""
    from .config import load_config
    cfg = load_config(args.config, args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = args.launcher
    if args.quiet:
        cfg.log_level = 'WARNING'
        set_quiet()
    return cfg


def build_runner(cfg):
    """mmengine's Runner (or the config's ``runner_type``) for ``cfg``."""
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    setup_launcher(cfg)
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
