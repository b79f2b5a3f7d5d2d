"""Convert an MMRazor 1.x checkpoint into an mmnas checkpoint of CONFIG.

    python tools/model_converters/mmrazor2mmnas.py IN.pth OUT.pth \
        --config MMNAS_CONFIG [--cfg-options k=v ...]

IN is a checkpoint of MMRazor's SPOS ShuffleNetV2, SPOS MobileNet
(ProxylessGPU) or DSNAS, supernet or fixed subnet. CONFIG says what OUT is:

- a search config (SPOS, DSNAS): the supernet checkpoint (``load_from`` of a
  search, ``supernet_checkpoint`` of a subnet config, export_subnet.py);
- a subnet config (``SubnetModel``): the static subnet's checkpoint, for
  ``tools/test.py CONFIG OUT.pth``; IN may be the fixed subnet or the
  supernet (then only the chosen candidates are taken).

Every tensor of the target is filled with the right shape and every tensor
of IN is used or listed as unused; anything else is one error listing the
keys, and nothing is written.
"""
import argparse
import re
import sys
from collections import OrderedDict
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.runner.checkpoint import weights_to_cpu

from mmnas import register_all_modules
from mmnas.models.subnet import load_state_strict, read_state_dict, to_static
from mmnas.registry import MODELS, TASK_UTILS
from mmnas.structures import load_subnet
from mmnas.utils import UserError, atomic_open, cli_main
from mmnas.utils.config import add_cfg_options_argument, load_config

ARCH_PARAM = re.compile(r'^mutator\._arch_params\.module_(\d+)$')


def stage_count(keys) -> int:
    """Number of ``backbone.layers.<i>`` stages among ``keys``."""
    found = {
        int(m[1])
        for k in keys for m in [re.match(r'backbone\.layers\.'
                                         r'(\d+)\.', k)] if m
    }
    return max(found) + 1 if found else 0


def mmnas_key(key: str, stages: int, arch_params: List[str]) -> Optional[str]:
    """The mmnas name of MMRazor's ``key`` (None: no counterpart).

    ``architecture.`` is dropped; MobileNet ``backbone.layer{i}.{j}`` is
    ``backbone.layers.{i-1}.{j}``; the last 1x1 conv (MobileNet
    ``backbone.conv2``, ShuffleNetV2 ``backbone.layers.4``) is
    ``backbone.last_conv``; DSNAS' ``mutator._arch_params.module_<k>`` is
    the ``arch_param`` of the k-th mutable."""
    m = ARCH_PARAM.match(key)
    if m:
        k = int(m[1])
        return f'{arch_params[k]}.arch_param' if k < len(arch_params) \
            else None
    if key.startswith('mutator.'):
        return None
    if key.startswith('architecture.'):
        key = key[len('architecture.'):]
    key = re.sub(r'^backbone\.layer(\d+)\.',
                 lambda m: f'backbone.layers.{int(m[1]) - 1}.', key)
    key = re.sub(r'^backbone\.conv2\.', 'backbone.last_conv.', key)
    return re.sub(rf'^backbone\.layers\.{stages}\.', 'backbone.last_conv.',
                  key)


def convert_state(state: Dict[str, torch.Tensor],
                  supernet: nn.Module) -> Dict[str, torch.Tensor]:
    """MMRazor's state dict under mmnas' supernet names; a key without
    counterpart keeps its name (the strict load then lists it)."""
    stages = stage_count(supernet.state_dict())
    arch_params = [
        n for n, m in supernet.named_modules()
        if isinstance(getattr(m, 'arch_param', None), nn.Parameter)
    ]
    out = OrderedDict()
    for key, value in state.items():
        out[mmnas_key(key, stages, arch_params) or key] = value
    return out


def unused_summary(keys: List[str]) -> List[str]:
    """Unused keys, the candidates of one mutable on one line."""
    groups: 'OrderedDict[str, List[str]]' = OrderedDict()
    for k in keys:
        m = re.match(r'^(.*)\._candidates\.([^.]+)\.', k)
        if m:
            names = groups.setdefault(f'{m[1]}: unchosen candidates', [])
            if m[2] not in names:
                names.append(m[2])
        else:
            groups.setdefault(k, [])
    return [f'{k} {", ".join(v)}'.rstrip() for k, v in groups.items()]


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='MMRazor checkpoint (.pth)')
    parser.add_argument('out', help='mmnas checkpoint to write (.pth)')
    parser.add_argument(
        '--config',
        required=True,
        help='mmnas config of the same space: a search config (OUT is a '
        'supernet checkpoint) or a SubnetModel config (OUT is the subnet)')
    add_cfg_options_argument(parser)
    args = parser.parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    model_cfg = cfg.model
    if 'architecture' not in model_cfg:
        raise UserError(f'{args.config} builds no searchable architecture: '
                        'pass the search or SubnetModel config of the space '
                        'the MMRazor checkpoint belongs to.')
    static = model_cfg.get('type') == 'SubnetModel'
    model = MODELS.build(model_cfg['architecture'])
    supernet_keys = list(model.state_dict())
    state = convert_state(read_state_dict(args.src), model)
    if static:
        mutator = TASK_UTILS.build(
            model_cfg.get('mutator', dict(type='NasMutator')))
        mutator.prepare_from_supernet(model)
        mutator.fix_choices(load_subnet(model_cfg['subnet']))
    report = load_state_strict(
        model,
        state,
        args.src,
        known=supernet_keys,
        fix='Keys are shown with mmnas names. Pass the config of the space '
        'and size the MMRazor checkpoint was trained with (--cfg-options '
        'sets widths and classes), and a checkpoint with every tensor.')
    if static:
        model = to_static(model)
    prefix = '' if static else 'architecture.'
    out = OrderedDict(
        (prefix + k, v) for k, v in weights_to_cpu(model.state_dict()).items())
    meta = dict(
        converted_from=args.src,
        converter='mmrazor2mmnas',
        config=args.config,
        static_subnet=static)
    with atomic_open(args.out, 'wb') as f:
        torch.save(dict(state_dict=out, meta=meta), f)
    print(f'wrote {args.out}: {len(out)} tensors of the '
          f'{"static subnet" if static else "supernet"}, every one filled '
          f'from {args.src}')
    if report['unused']:
        print(f'{len(report["unused"])} tensors of {args.src} not used:')
        for line in unused_summary(report['unused']):
            print(f'  {line}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
