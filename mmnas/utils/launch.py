"""Distributed settings that depend on the machine, not on the config."""
import torch
import torch.distributed as dist

from .errors import UserError


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
