"""Write a standalone subnet checkpoint from a supernet checkpoint and a
subnet file: the weights of the chosen ops only, with the key names of the
static subnet (the model a SubnetModel config builds).

    python tools/model_converters/export_subnet.py CONFIG SUPERNET_CKPT \
        SUBNET_FILE OUT.pth

CONFIG is the supernet config (its ``model`` wraps the architecture) or a
SubnetModel config."""
import argparse
import sys

import torch
from mmengine.runner.checkpoint import weights_to_cpu

from mmnas import register_all_modules
from mmnas.models.subnet import fix_subnet
from mmnas.registry import MODELS
from mmnas.utils import UserError, atomic_open, cli_main
from mmnas.utils.config import add_cfg_options_argument, load_config


def supernet_architecture_cfg(model_cfg):
    """The architecture (supernet) config inside an algorithm or SubnetModel
    config."""
    if 'architecture' not in model_cfg:
        raise UserError('the config\'s model has no "architecture" (a '
                        'supernet): pass the supernet or SubnetModel config '
                        'of the search space.')
    return model_cfg['architecture']


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='supernet checkpoint')
    parser.add_argument('subnet', help='subnet file (YAML/JSON)')
    parser.add_argument('out', help='output .pth')
    add_cfg_options_argument(parser)
    args = parser.parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    model = MODELS.build(supernet_architecture_cfg(cfg.model))
    model = fix_subnet(model, args.subnet, checkpoint=args.checkpoint)
    state = weights_to_cpu(model.state_dict())
    meta = dict(subnet=args.subnet, supernet_checkpoint=args.checkpoint)
    with atomic_open(args.out, 'wb') as f:
        torch.save(dict(state_dict=state, meta=meta), f)
    n = sum(v.numel() for k, v in state.items()
            if not k.endswith(('running_mean', 'running_var',
                               'num_batches_tracked')))
    print(f'wrote {args.out}: {len(state)} tensors ({n:,} parameters) of the '
          'static subnet, all inherited from the supernet checkpoint')
    return 0


if __name__ == '__main__':
    sys.exit(main())
