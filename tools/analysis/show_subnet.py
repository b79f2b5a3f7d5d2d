"""Print a subnet file as a per-layer table; with --config, with each
layer's params and FLOPs from the search space's cost table.

    python tools/analysis/show_subnet.py FILE [--config SUPERNET_CONFIG]
        [--shape H W] [--convention bitops]

Per layer: the decision, the chosen candidate and what it adds (params,
multiply-adds, share of the subnet's FLOPs); then the fixed part (stem,
head, ...) and the total, which equals get_flops.py --subnet. With
``--convention bitops`` (a quantization space): per conv and linear layer
its multiply-adds, weight and input bits and BitOps, and the total, which
equals get_flops.py --subnet --convention bitops.
"""
import argparse
import sys

from mmnas.structures import load_subnet
from mmnas.utils import UserError, cli_main


def rows(subnet, table):
    """(decision, choice, params, flops) per decision; None costs where a
    layer's cost depends on a nested decision."""
    from mmnas.estimators.cost_table import CostTableError
    for decision, choice in subnet.items():
        try:
            cost = table.candidate_cost(decision, choice)
            yield decision, choice, cost['params'], cost['flops']
        except CostTableError:
            yield decision, choice, None, None


def bitops_lines(subnet, model, shape) -> list:
    """Per-layer BitOps of a quantization space's subnet."""
    from mmnas.estimators import BitOpsEstimator
    estimator = BitOpsEstimator((1, 3, *shape)).bind(model.architecture,
                                                     model.mutator)
    rows = estimator.per_layer(subnet)
    width = max(len('layer'), *(len(r[0]) for r in rows))
    head = (f'{"layer":<{width}}  {"MMACs":>9}  {"W":>2}  {"A":>2}  '
            f'{"GBitOps":>9}  {"%":>5}')
    total = sum(r[-1] for r in rows)
    lines = [head, '-' * len(head)]
    lines += [
        f'{name:<{width}}  {macs / 1e6:>9.3f}  {w:>2}  {a:>2}  '
        f'{ops / 1e9:>9.4f}  {100 * ops / max(total, 1):>5.1f}'
        for name, macs, w, a, ops in rows
    ]
    lines += [
        '-' * len(head), f'{f"total at {shape[0]}x{shape[1]}":<{width}}'
        f'  {sum(r[1] for r in rows) / 1e6:>9.3f}  {"":>2}  {"":>2}  '
        f'{total / 1e9:>9.4f}'
    ]
    return lines


def show(path,
         config=None,
         shape=(224, 224),
         cfg_options=None,
         convention='macs') -> str:
    subnet = load_subnet(path)
    width = max(len('decision'), *(len(str(k)) for k in subnet))
    cwidth = max(len('choice'), *(len(str(v)) for v in subnet.values()))
    if config is None:
        lines = [f'{"decision":<{width}}  choice']
        lines += [f'{k:<{width}}  {v}' for k, v in subnet.items()]
        lines.append(f'{len(subnet)} decisions (pass --config for costs)')
        return '\n'.join(lines)

    from mmnas import register_all_modules
    from mmnas.estimators import CostTable
    from mmnas.registry import MODELS
    from mmnas.utils.config import load_config
    register_all_modules()
    cfg = load_config(config, cfg_options)
    model = MODELS.build(cfg.model)
    if not hasattr(model, 'mutator'):
        raise UserError(f'{config!r} builds a static model; pass the '
                        'supernet (search space) config of the subnet.')
    model.mutator.validate_choices(subnet)
    subnet = model.mutator.space_names(subnet)  # MMRazor's names read
    if convention == 'bitops':
        return '\n'.join(bitops_lines(subnet, model, shape))
    width = max(len('decision'), *(len(str(k)) for k in subnet))
    table = CostTable((1, 3, *shape)).bind(model.architecture, model.mutator)
    total = table.cost(subnet)
    head = (f'{"decision":<{width}}  {"choice":<{cwidth}}  '
            f'{"params":>10}  {"MFLOPs":>9}  {"FLOPs %":>7}')
    lines = [head, '-' * len(head)]
    for decision, choice, params, flops in rows(subnet, table):
        cost = ('nested', '', '') if params is None else (
            f'{params:,}', f'{flops / 1e6:.3f}',
            f'{100 * flops / max(total["flops"], 1):.1f}')
        lines.append(f'{decision:<{width}}  {str(choice):<{cwidth}}  '
                     f'{cost[0]:>10}  {cost[1]:>9}  {cost[2]:>7}')
    lines.append('-' * len(head))
    fixed = table.fixed
    for name, cost in (('fixed part (not searched)', fixed),
                       (f'total at {shape[0]}x{shape[1]}', total)):
        lines.append(f'{name:<{width + cwidth + 2}}  {cost["params"]:>10,}'
                     f'  {cost["flops"] / 1e6:>9.3f}')
    return '\n'.join(lines)


@cli_main
def main(argv=None):
    from mmnas.utils.config import add_cfg_options_argument, add_shape_argument
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('subnet', help='subnet file (YAML/JSON)')
    parser.add_argument('--config', help='supernet config of the subnet')
    add_shape_argument(parser, 'input size of the costs')
    add_cfg_options_argument(parser)
    parser.add_argument(
        '--convention',
        choices=('macs', 'bitops'),
        default='macs',
        help='macs: params and multiply-adds per decision; bitops: '
        'multiply-adds, bits and BitOps per layer (quantization spaces)')
    args = parser.parse_args(argv)
    if args.convention == 'bitops' and args.config is None:
        raise UserError('--convention bitops needs --config (the '
                        'quantization supernet config of the subnet).')
    print(
        show(args.subnet, args.config, tuple(args.shape), args.cfg_options,
             args.convention))
    return 0


if __name__ == '__main__':
    sys.exit(main())
