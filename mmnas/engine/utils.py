"""Small helpers the loops and hooks share.

Runner settings that mmengine 0.10.7 keeps only in private attributes (the
``Runner`` arguments ``resume``, ``load_from`` and ``randomness`` have no
public accessor) are read and set here, and nowhere else."""
from typing import Optional

import torch.nn as nn
from mmengine.model import is_model_wrapper


def runner_model(runner) -> nn.Module:
    """The model ``runner`` drives, without its DDP wrapper."""
    model = runner.model
    return model.module if is_model_wrapper(model) else model


def resume_requested(runner) -> bool:
    """Whether the run was started with ``resume=True`` (``--resume``)."""
    return bool(runner._resume)


def load_from(runner) -> Optional[str]:
    """The checkpoint the runner will load or resume from, if given."""
    return runner._load_from


def set_load_from(runner, path: str) -> None:
    """Make ``Runner.load_or_resume`` load ``path``: it reads only
    ``_load_from``."""
    runner._load_from = path


def randomness_cfg(runner) -> dict:
    """The ``randomness`` settings the runner was built with."""
    return runner._randomness_cfg
