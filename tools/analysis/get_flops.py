"""Params and FLOPs of a config's model.

    python tools/analysis/get_flops.py CONFIG [--subnet FILE] [--shape H W]
        [--convention {macs,fvcore,mmrazor,bitops}] [--json]
        [--cfg-options k=v ...]

FLOPs are conv + linear multiply-adds by default (how the NAS papers count);
``--convention fvcore`` adds what fvcore's default FlopCountAnalysis counts
besides (BatchNorm, global pooling), ``--convention mmrazor`` counts as
MMRazor 1.0's ResourceEstimator (BatchNorm, activations, pooling and conv
bias too), see docs/estimators.md. ``--convention bitops`` counts BitOps
(multiply-adds x weight bits x input bits per layer) of a quantized model
(docs/algorithms/spos_quantization.md).

A supernet config (an algorithm) needs --subnet: that subnet is counted
without building it. A static model (e.g. a SubnetModel config) is counted
as it is.
"""
import argparse
import json

from mmnas import register_all_modules
from mmnas.estimators import (BitOpsEstimator, count_bitops, count_static,
                              count_subnet)
from mmnas.estimators.counters import CONVENTIONS
from mmnas.registry import MODELS
from mmnas.structures import load_subnet
from mmnas.utils import UserError, cli_main
from mmnas.utils.config import (add_cfg_options_argument, add_shape_argument,
                                load_config)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Count params and FLOPs (multiply-adds) of a model')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--subnet', help='subnet file (YAML/JSON) of a '
        'supernet config')
    add_shape_argument(parser, 'input size')
    parser.add_argument(
        '--convention',
        choices=CONVENTIONS + ('bitops', ),
        default='macs',
        help='macs: conv + linear multiply-adds (default, '
        'as the papers report); fvcore: fvcore\'s default '
        'FlopCountAnalysis, which adds BatchNorm and pooling; mmrazor: '
        'MMRazor 1.0\'s ResourceEstimator, which adds BatchNorm, '
        'activations, pooling and conv bias; bitops: '
        'multiply-adds x weight bits x input bits of a quantized model')
    parser.add_argument(
        '--json',
        action='store_true',
        help='print one JSON line {"params": N, "flops": N} '
        '("bitops" too with --convention bitops)')
    add_cfg_options_argument(parser)
    return parser.parse_args(argv)


# convention -> (column title, what the number counts)
NOTES = dict(
    macs=('FLOPs (MACs)',
          'FLOPs = multiply-adds of conv and linear layers (fvcore); '
          'BN, activations and pooling are not counted.'),
    fvcore=('FLOPs (fvcore)',
            'FLOPs = fvcore FlopCountAnalysis defaults: conv and linear '
            'multiply-adds + BatchNorm (2 per element) + pooling; '
            'activations are not counted.'),
    mmrazor=('FLOPs (MMRazor)',
             'FLOPs = MMRazor 1.0 ResourceEstimator: conv and linear '
             'multiply-adds + conv bias + BatchNorm (2 per element) + ReLU '
             '(1 per element) + pooling (1 per input element).'),
    bitops=('FLOPs (MACs)',
            'BitOps = conv and linear multiply-adds x weight bits x input '
            'bits, per layer (float layers 32 x 32); FLOPs are the '
            'multiply-adds.'))


def count(model, subnet, shape, convention):
    searchable = hasattr(model, 'mutator') and hasattr(model, 'architecture')
    if searchable and subnet is None:
        raise UserError(
            'this config builds a supernet: pass --subnet FILE to count one '
            'of its subnets (e.g. the best_subnet.yaml of a search).')
    if not searchable and subnet is not None:
        raise UserError(
            '--subnet applies to a supernet config, but this config builds '
            'a static model; drop --subnet or pass the supernet config.')
    macs = 'macs' if convention == 'bitops' else convention
    if searchable:
        choices = load_subnet(subnet)
        cost = count_subnet(model.architecture, model.mutator, choices, shape,
                            macs)
        if convention == 'bitops':
            estimator = BitOpsEstimator(shape).bind(model.architecture,
                                                    model.mutator)
            cost['bitops'] = estimator.cost(
                model.mutator.space_names(choices))['bitops']
            cost['fixed_bitops'] = estimator.fixed['bitops']
        return cost
    cost = count_static(model, shape, macs)
    if convention == 'bitops':
        cost['bitops'] = count_bitops(model, input_shape=shape)
    return cost


@cli_main
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    if 'model' not in cfg:
        raise UserError(f'config {args.config!r} has no `model` to count.')
    model = MODELS.build(cfg.model)
    shape = (1, 3, *args.shape)
    cost = count(model, args.subnet, shape, args.convention)
    if args.json:
        print(json.dumps(cost))
        return
    h, w = args.shape
    title, note = NOTES[args.convention]
    print(f'{"input":<8}{"params":>14}{title:>16}\n'
          f'{f"{h}x{w}":<8}{cost["params"] / 1e6:>13.3f}M'
          f'{cost["flops"] / 1e6:>15.3f}M\n'
          f'{"":<8}{cost["params"]:>14,}{cost["flops"] / 1e9:>15.4f}G\n' +
          bitops_line(cost) + note)


def bitops_line(cost) -> str:
    if 'bitops' not in cost:
        return ''
    line = f'BitOps: {cost["bitops"]:,} ({cost["bitops"] / 1e9:.4f} G)'
    if 'fixed_bitops' in cost:
        searched = cost['bitops'] - cost['fixed_bitops']
        line += (f', of which searched layers {searched:,} and fixed-bit '
                 f'layers {cost["fixed_bitops"]:,}')
    return line + '\n'


if __name__ == '__main__':
    main()
