"""Small helpers the loops and hooks share."""
import torch.nn as nn
from mmengine.model import is_model_wrapper


def runner_model(runner) -> nn.Module:
    """The model ``runner`` drives, without its DDP wrapper."""
    model = runner.model
    return model.module if is_model_wrapper(model) else model
