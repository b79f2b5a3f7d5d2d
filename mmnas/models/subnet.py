"""Static subnets: a supernet with every decision fixed and the mutables
replaced by what they chose, so nothing of the search remains at run
time."""
from typing import Dict, Optional, Union

import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.runner.checkpoint import _load_checkpoint

from mmnas.registry import MODELS, TASK_UTILS
from mmnas.structures import load_subnet
from .mutables import BaseMutable


def to_static(model: nn.Module) -> nn.Module:
    """Replace every fixed mutable that can ``export()`` a plain module by
    that module, in place, innermost first (a mutable inside a chosen
    candidate goes before the one holding it). Returns ``model``."""
    for name, module in reversed(list(model.named_modules())):
        if isinstance(module, BaseMutable) and hasattr(module, 'export'):
            if not module.is_fixed:
                raise RuntimeError(
                    f'mutable {name!r} is not fixed; fix the subnet '
                    'before making the model static.')
            parent_name, _, child = name.rpartition('.')
            parent = model.get_submodule(parent_name) if parent_name \
                else model
            setattr(parent, child, module.export())
    return model


def fix_subnet(
    model: nn.Module,
    subnet: Union[str, Dict],
    mutator: dict = dict(type='NasMutator')
) -> nn.Module:
    """Fix ``model``'s mutables to ``subnet`` and make it static."""
    mut = TASK_UTILS.build(mutator)
    mut.prepare_from_supernet(model)
    mut.fix_choices(load_subnet(subnet))
    return to_static(model)


def load_supernet_weights(model: nn.Module,
                          checkpoint: str,
                          logger: Optional[MMLogger] = None) -> Dict:
    """Load a supernet checkpoint (saved from an algorithm, keys prefixed
    ``architecture.``, or from a bare architecture) into ``model``, and
    report what was and was not loaded."""
    logger = logger or MMLogger.get_current_instance()
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{checkpoint!r} holds no state_dict; pass a '
                         'checkpoint written by tools/train.py.')
    prefix = 'architecture.'
    if any(k.startswith(prefix) for k in state):
        state = {
            k[len(prefix):]: v
            for k, v in state.items() if k.startswith(prefix)
        }
    own = model.state_dict()
    loaded, mismatched = {}, []
    for k, v in state.items():
        if k in own:
            if own[k].shape == v.shape:
                loaded[k] = v
            else:
                mismatched.append(k)
    missing = [k for k in own if k not in loaded]
    if not loaded:
        raise ValueError(
            f'no tensor of {checkpoint!r} matches this model: it is the '
            'checkpoint of another model. Use the supernet checkpoint of '
            'the same search space.')
    model.load_state_dict(loaded, strict=False)
    report = dict(
        loaded=len(loaded),
        total=len(own),
        missing=missing,
        mismatched=mismatched,
        unexpected=[k for k in state if k not in own])
    logger.info(
        f'Inherited {len(loaded)}/{len(own)} tensors from {checkpoint}; '
        f'missing {len(missing)}, shape mismatch {len(mismatched)}' +
        (f' (e.g. {(missing + mismatched)[:3]})'
         if missing or mismatched else ''))
    return report


@MODELS.register_module()
def SubnetModel(architecture: dict,
                subnet: Union[str, Dict],
                supernet_checkpoint: Optional[str] = None,
                mutator: dict = dict(type='NasMutator'),
                data_preprocessor: Optional[dict] = None) -> nn.Module:
    """Build ``architecture`` (a supernet config), optionally inherit the
    weights of a trained supernet, fix it to ``subnet`` and return the
    static network. Without ``supernet_checkpoint`` it trains from scratch
    (SPOS retraining). ``data_preprocessor`` (what the runner passes from
    a config's top level) is the architecture's unless it sets its own."""
    if data_preprocessor is not None:
        architecture = dict(architecture)
        architecture.setdefault('data_preprocessor', data_preprocessor)
    model = MODELS.build(architecture)
    if supernet_checkpoint:
        model.init_weights()  # so the runner's init does not overwrite
        load_supernet_weights(model, supernet_checkpoint)
    return fix_subnet(model, subnet, mutator)
