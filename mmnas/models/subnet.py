"""Static subnets: a supernet with every decision fixed and the mutables
replaced by what they chose, so nothing of the search remains at run
time."""
from typing import Dict, Iterable, List, Optional, Union

import torch
import torch.nn as nn
from mmengine.logging import MMLogger

from mmnas.registry import MODELS, TASK_UTILS
from mmnas.structures import load_subnet
from mmnas.utils import UserError
from mmnas.utils.checkpoint_io import CheckpointError, load_checkpoint_file
from .mutables import BaseMutable

CONVERTER = 'tools/model_converters/mmrazor2mmnas.py'


def to_static(model: nn.Module) -> nn.Module:
    """Replace every mutable by the plain module it ``export()`` s (if any),
    in place, innermost first (a mutable inside a chosen candidate goes
    before the one holding it). Every mutable must be fixed. Returns
    ``model``."""
    for name, module in reversed(list(model.named_modules())):
        if not isinstance(module, BaseMutable):
            continue
        if not module.is_fixed:
            raise RuntimeError(f'mutable {name!r} is not fixed; fix the '
                               'subnet before making the model static.')
        static = module.export()
        if static is not None:
            parent_name, _, child = name.rpartition('.')
            parent = model.get_submodule(parent_name) if parent_name \
                else model
            setattr(parent, child, static)
    return model


def fix_subnet(model: nn.Module,
               subnet: Union[str, Dict],
               mutator: dict = dict(type='NasMutator'),
               checkpoint: Optional[str] = None) -> nn.Module:
    """Fix ``model``'s mutables to ``subnet``, load the chosen path's weights
    from the supernet ``checkpoint`` if given, and make it static."""
    mut = TASK_UTILS.build(mutator)
    mut.prepare_from_supernet(model)
    supernet_keys = set(model.state_dict())
    mut.fix_choices(load_subnet(subnet))
    if checkpoint:
        load_supernet_weights(model, checkpoint, known=supernet_keys)
    return to_static(model)


def read_state_dict(checkpoint: str) -> Dict[str, torch.Tensor]:
    """The ``state_dict`` of a checkpoint file (or the file itself when it
    is a bare state dict)."""
    ckpt = load_checkpoint_file(checkpoint)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f'{checkpoint!r} holds no state_dict; pass a '
                              'checkpoint written by tools/train.py.')
    return state


def _listed(title: str, keys: List[str], limit: int = 12) -> str:
    more = f'\n    ... and {len(keys) - limit} more' \
        if len(keys) > limit else ''
    return f'\n  {title} ({len(keys)}):\n    ' + '\n    '.join(
        keys[:limit]) + more


def load_state_strict(model: nn.Module,
                      state: Dict[str, torch.Tensor],
                      source: str,
                      known: Iterable[str] = (),
                      fix: Optional[str] = None) -> Dict:
    """Load ``state`` into ``model`` only if it fills every tensor of
    ``model`` with the right shape and holds nothing else, except entries
    named in ``known`` (tensors of candidates ``model`` dropped), which are
    returned as unused. Otherwise raise one :class:`CheckpointError` that
    lists the missing, mismatched and unexpected keys and says ``fix``
    (default: convert MMRazor checkpoints with the converter)."""
    own = model.state_dict()
    known = set(known)
    missing = [k for k in own if k not in state]
    mismatched = [
        f'{k}: checkpoint {tuple(state[k].shape)}, model '
        f'{tuple(own[k].shape)}' for k in own
        if k in state and state[k].shape != own[k].shape
    ]
    unexpected = [k for k in state if k not in own and k not in known]
    if missing or mismatched or unexpected:
        raise CheckpointError(
            f'{source!r} does not fit this model; nothing was loaded.' +
            (_listed('missing from the checkpoint', missing) if missing else ''
             ) +
            (_listed('different shape', mismatched) if mismatched else '') +
            (_listed('not in the model', unexpected) if unexpected else '') +
            '\n' + (fix or f'An MMRazor checkpoint converts with {CONVERTER} '
                    '(it maps its key names); otherwise pass a checkpoint '
                    'written with this config or its supernet config.'))
    model.load_state_dict({k: state[k] for k in own}, strict=True)
    return dict(loaded=len(own), unused=[k for k in state if k not in own])


def load_supernet_weights(model: nn.Module,
                          checkpoint: str,
                          known: Iterable[str] = (),
                          logger: Optional[MMLogger] = None) -> Dict:
    """Load a supernet checkpoint (saved from an algorithm, keys prefixed
    ``architecture.``, or from a bare architecture) into ``model`` with
    :func:`load_state_strict`; ``known`` names the supernet tensors that
    ``model`` no longer has (candidates a fixed subnet dropped)."""
    logger = logger or MMLogger.get_current_instance()
    state = read_state_dict(checkpoint)
    prefix = 'architecture.'
    if any(k.startswith(prefix) for k in state):
        state = {
            k[len(prefix):] if k.startswith(prefix) else k: v
            for k, v in state.items()
        }
    report = load_state_strict(model, state, checkpoint, known)
    logger.info(f'Inherited all {report["loaded"]} tensors of the model '
                f'from {checkpoint} ({len(report["unused"])} tensors of '
                'unchosen candidates left out)')
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
    return fix_subnet(model, subnet, mutator, supernet_checkpoint)


def build_network(model_cfg,
                  checkpoint: Optional[str] = None,
                  subnet: Optional[Union[str, Dict]] = None) -> nn.Module:
    """The static network of a config's ``model`` in eval mode (a search
    config's ``subnet``, or a static / SubnetModel config), with
    ``checkpoint``'s weights (every tensor, checked) if given; the
    deployment tools export it."""
    searchable = 'architecture' in model_cfg and \
        model_cfg.get('type') != 'SubnetModel'
    if searchable:
        if subnet is None:
            raise UserError('this config builds a supernet: pass --subnet '
                            'FILE to export one of its subnets.')
        net = MODELS.build(model_cfg['architecture'])
        net = fix_subnet(net, subnet, checkpoint=checkpoint)
        return net.eval()
    if subnet is not None:
        if 'subnet' not in model_cfg:
            raise UserError('--subnet applies to a search or SubnetModel '
                            'config; this config builds a fixed network.')
        model_cfg.subnet = subnet
    net = MODELS.build(model_cfg)
    arch = getattr(net, 'architecture', None)  # an algorithm's network
    net = arch if isinstance(arch, nn.Module) else net
    if checkpoint:
        state = read_state_dict(checkpoint)
        load_state_strict(
            net,
            state,
            checkpoint,
            fix='Pass a checkpoint of this config (tools/train.py, '
            'export_subnet.py or mmrazor2mmnas.py writes one), or the '
            'search config with --subnet and its supernet checkpoint.')
    return net.eval()
