"""Two optimizers for one model: network weights and architecture logits.

mmengine's default constructor builds one optimizer over a whole model;
differentiable searches (DSNAS) step the weights and the architecture
parameters with different optimizers and schedules."""
import copy
from typing import Callable, Optional

import torch.nn as nn
from mmengine.optim import (DefaultOptimWrapperConstructor, OptimWrapper,
                            OptimWrapperDict)

from mmnas.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmnas.utils import UserError

ARCH_PARAM_KEY = 'arch_param'
GROUPS = ('weights', 'arch')  # network weights, architecture logits


def _build_subset(model: nn.Module, cfg: dict,
                  keep: Callable[[str], bool]) -> OptimWrapper:
    """An optim wrapper built by mmengine's default constructor (so
    ``paramwise_cfg`` works as usual) over the parameters whose name passes
    ``keep``."""
    cfg = copy.deepcopy(dict(cfg))
    paramwise_cfg = cfg.pop('paramwise_cfg', None)
    wrapper = DefaultOptimWrapperConstructor(cfg, paramwise_cfg)(model)
    kept = {id(p) for name, p in model.named_parameters() if keep(name)}
    groups = wrapper.optimizer.param_groups
    for group in groups:
        group['params'] = [p for p in group['params'] if id(p) in kept]
    wrapper.optimizer.param_groups = [g for g in groups if g['params']]
    return wrapper


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class ArchParamOptimWrapperConstructor:
    """Build ``OptimWrapperDict(weights=..., arch=...)``: parameters whose
    name contains ``arch_param`` (the architecture logits) go to ``arch``,
    all others (the network weights) to ``weights``. Each entry is an
    ordinary optim wrapper config; ``param_scheduler`` takes the same
    keys::

        optim_wrapper = dict(
            constructor='ArchParamOptimWrapperConstructor',
            weights=dict(optimizer=dict(type='SGD', lr=0.5),
                         paramwise_cfg=dict(norm_decay_mult=0.)),
            arch=dict(optimizer=dict(type='Adam', lr=1e-3)))
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        keys = set(optim_wrapper_cfg)
        if keys != set(GROUPS) or paramwise_cfg:
            old = ' (formerly architecture / mutator: rename them)' \
                if keys & {'architecture', 'mutator'} else ''
            raise UserError(
                'ArchParamOptimWrapperConstructor takes exactly the keys '
                f"'weights' (network weights) and 'arch' (architecture "
                f'logits){old} (got {sorted(keys)}'
                f"{' and a top-level paramwise_cfg' if paramwise_cfg else ''}"
                '); put optimizer and paramwise_cfg inside each of them, and '
                'give param_scheduler the same keys.')
        self.optim_wrapper_cfg = optim_wrapper_cfg

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        if hasattr(model, 'module'):
            model = model.module
        names = [n for n, _ in model.named_parameters()]
        if not any(ARCH_PARAM_KEY in n for n in names):
            raise UserError(
                f'the model has no parameter named *{ARCH_PARAM_KEY}*, so '
                "there is nothing for the 'arch' optimizer: use a "
                'supernet with differentiable mutables (OneHotMutableOP) '
                'or a single optimizer.')
        return OptimWrapperDict(
            weights=_build_subset(model, self.optim_wrapper_cfg['weights'],
                                  lambda n: ARCH_PARAM_KEY not in n),
            arch=_build_subset(model, self.optim_wrapper_cfg['arch'],
                               lambda n: ARCH_PARAM_KEY in n))
