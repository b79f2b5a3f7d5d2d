"""Distributed settings that depend on the machine, not on the config."""
import torch


def setup_launcher(cfg) -> None:
    """Use gloo where CUDA is absent, so ``tools/dist_train.sh CONFIG 2``
    runs two CPU processes; nccl stays the default on GPUs."""
    if cfg.get('launcher', 'none') == 'none':
        return
    if not torch.cuda.is_available():
        env = cfg.setdefault('env_cfg', {})
        env.setdefault('dist_cfg', {})['backend'] = 'gloo'
