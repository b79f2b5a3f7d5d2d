"""Run a model in the channels_last (NHWC) memory format."""
from typing import Sequence

import torch
import torch.nn as nn
from mmengine.hooks import Hook

from mmnas.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's 4-D parameters and buffers to channels_last
    before training, a search, validation or a test starts, on the devices
    listed in ``devices``.

    Convolution kernels then pick the NHWC layout for every layer (the first
    convolution converts the NCHW input), which on CPU (oneDNN) avoids the
    layout reorders of NCHW depthwise and 1x1 convolutions: measured per
    search space, for training steps and for the gradient-free forward
    passes of searches and tests, with ``benchmarks/bench_train.py``
    (docs/benchmarks.md). It runs after the weights are initialised or
    loaded; parameters are converted in place, so the optimizer keeps them.

    ``configs/_base_/default_runtime.py`` registers it as
    ``default_hooks.memory_format``; a config (or ``--cfg-options
    default_hooks.memory_format=None``) turns it off.

    Args:
        devices (Sequence[str]): Device types (``torch.device.type``) of the
            model's parameters on which to convert. Only CPU is measured;
            ``('cpu', 'cuda')`` opts CUDA in.
    """

    priority = 'VERY_HIGH'

    def __init__(self, devices: Sequence[str] = ('cpu', )) -> None:
        self.devices = tuple(devices)

    def applies_to(self, model: nn.Module) -> bool:
        """Whether ``model``'s parameters live on one of ``devices``."""
        param = next(model.parameters(), None)
        return param is not None and param.device.type in self.devices

    def convert(self, model: nn.Module) -> bool:
        """Convert ``model`` in place if it is on one of ``devices``;
        return whether it was."""
        if not self.applies_to(model):
            return False
        model.to(memory_format=torch.channels_last)
        return True

    def before_train(self, runner) -> None:
        self.convert(runner.model)

    def before_val(self, runner) -> None:
        self.convert(runner.model)

    def before_test(self, runner) -> None:
        self.convert(runner.model)
