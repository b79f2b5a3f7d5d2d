"""Run a model in the channels_last (NHWC) memory format."""
import torch
from mmengine.hooks import Hook

from mmnas.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's 4-D parameters and buffers to channels_last
    before the run starts.

    Convolution kernels then pick the NHWC layout for every layer (the first
    convolution converts the NCHW input), which on CPU (oneDNN) avoids the
    layout reorders of NCHW depthwise and 1x1 convolutions: measured on the
    SPOS ShuffleNetV2 supernet in ``benchmarks/bench_train.py`` (see
    docs/benchmarks.md). Parameters are converted in place, so the optimizer
    built before this hook keeps them. Turn it on with
    ``custom_hooks = [dict(type='ChannelsLastHook')]``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        runner.model.to(memory_format=torch.channels_last)
