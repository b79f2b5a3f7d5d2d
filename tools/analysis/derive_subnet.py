"""Write the subnet a differentiable search (DSNAS) derives: every decision
at the argmax of its architecture logits, in the common subnet format.

    python tools/analysis/derive_subnet.py CONFIG [--checkpoint CKPT] \
        --out subnet.yaml

Without a checkpoint it derives from the freshly initialised supernet
(useful to check a config end to end); count the result with
``tools/analysis/get_flops.py CONFIG --subnet subnet.yaml``."""
import argparse
import sys

import torch

from mmnas import register_all_modules
from mmnas.models.mutables import argmax_choices
from mmnas.models.subnet import load_supernet_weights
from mmnas.registry import MODELS
from mmnas.structures import dump_subnet
from mmnas.utils import UserError, cli_main
from mmnas.utils.config import add_cfg_options_argument, load_config


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='supernet (search) config')
    parser.add_argument('--checkpoint', help='checkpoint of that search')
    parser.add_argument('--out', required=True, help='subnet file to write')
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help='seed of the initialisation (no checkpoint)')
    add_cfg_options_argument(parser)
    args = parser.parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    torch.manual_seed(args.seed)
    model = MODELS.build(cfg.model)
    if not hasattr(model, 'mutator') or not hasattr(model, 'architecture'):
        raise UserError(f'{args.config} builds a static model, not a search '
                        'supernet: pass the search config.')
    if not any('arch_param' in n for n, _ in model.named_parameters()):
        raise UserError(f'{args.config} has no architecture logits to take '
                        'the argmax of; a one-shot search (SPOS) picks its '
                        'subnet with its search loop instead.')
    if args.checkpoint:
        model.init_weights()
        try:
            load_supernet_weights(model.architecture, args.checkpoint)
        except (ValueError, RuntimeError, EOFError, OSError) as e:
            raise UserError(f'cannot read {args.checkpoint!r} as a checkpoint '
                            f'of this config ({e}); pass a .pth that '
                            'tools/train.py wrote for it.')
    subnet = argmax_choices(model.mutator)
    dump_subnet(subnet, args.out)
    print(f'{len(subnet)} decisions written to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
