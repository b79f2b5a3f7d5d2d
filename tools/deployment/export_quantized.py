"""Export a retrained quantized subnet with its per-layer bit widths and
integer weights, and check that the integer model predicts what the
fake-quantized model predicts.

    python tools/deployment/export_quantized.py CONFIG CHECKPOINT \
        --output-file F [--check-batches N] [--cfg-options k=v ...]

CONFIG is a quantized SubnetModel config (configs/nas/spos_quant/*_subnet_*)
and CHECKPOINT its retrained checkpoint (every tensor is loaded, checked);
``--cfg-options model.subnet=FILE`` names the subnet as for tools/test.py.
The file (``torch.save``) holds per quantized layer its weight and input
bits, ``uint8`` weight codes with scale and offset, PACT clip and bias, and
the float state of the rest (mmnas/models/quant_export.py). The check runs
both models on the first N batches of the config's test data (0: skip):
the file is written only if every integer layer gives the fake-quantized
layer's output on the input that layer gets (relative difference at most
``--tolerance``). It also prints how many top-1 predictions of the two
whole networks agree: a value within float rounding of a quantization
step lands on the other side now and then and flips a prediction, which
is not an export error (see ``layer_errors``).
"""
import argparse
import io
import sys

import torch
from mmengine.runner import Runner

from mmnas import register_all_modules
from mmnas.models.quant_export import (export_quantized, integer_model,
                                       layer_errors, quant_layers)
from mmnas.models.subnet import build_network
from mmnas.utils import UserError, atomic_open, cli_main
from mmnas.utils.config import add_cfg_options_argument, load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='retrained subnet checkpoint')
    parser.add_argument('--output-file', required=True, help='.pth to write')
    parser.add_argument(
        '--check-batches',
        type=int,
        default=-1,
        help='test batches to compare the integer and fake-quantized '
        'models on (-1: all, 0: no check)')
    parser.add_argument(
        '--tolerance',
        type=float,
        default=1e-4,
        help='largest relative difference between an integer layer and its '
        'fake-quantized layer')
    add_cfg_options_argument(parser)
    return parser.parse_args(argv)


@torch.no_grad()
def compare(net, int_net, batches) -> dict:
    """The largest relative difference of each integer layer from its
    fake-quantized layer, and the whole models' top-1 agreement and
    largest logit difference, on ``batches`` (data-loader batches)."""
    agree = total = 0
    diff = 0.
    errors = {}
    for data in batches:
        inputs = net.data_preprocessor(data, False)['inputs']
        batch_errors, fake = layer_errors(net, int_net, inputs)
        for name, err in batch_errors.items():
            errors[name] = max(errors.get(name, 0.), err)
        real = int_net(inputs, mode='tensor')
        agree += int((fake.argmax(1) == real.argmax(1)).sum())
        total += fake.shape[0]
        diff = max(diff, float((fake - real).abs().max()))
    return dict(
        agree=agree, total=total, max_logit_diff=diff, layer_errors=errors)


def table(exported: dict) -> str:
    lines = [f'{"layer":<40} {"W":>2} {"A":>2}']
    lines += [
        f'{name:<40} {r["w_bits"]:>2} {r["a_bits"]:>2}'
        for name, r in exported['layers'].items()
    ]
    return '\n'.join(lines)


@cli_main
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    if 'model' not in cfg:
        raise UserError(f'config {args.config!r} has no `model` to export.')
    net = build_network(cfg.model, args.checkpoint)
    if not quant_layers(net):
        raise UserError(f'{args.config!r} builds no quantized layer: pass a '
                        'quantized subnet config (configs/nas/spos_quant/).')
    exported = export_quantized(net)
    print(table(exported))
    if args.check_batches:
        loader = Runner.build_dataloader(
            dict(cfg.test_dataloader, num_workers=0, persistent_workers=False))
        batches = (b for i, b in enumerate(loader)
                   if args.check_batches < 0 or i < args.check_batches)
        result = compare(net, integer_model(net, exported), batches)
        errors = result['layer_errors']
        worst = max(errors, key=errors.get)
        print(f'integer vs fake-quantized layers on {result["total"]} test '
              f'images: largest relative difference {errors[worst]:.2g} '
              f'({worst}); whole models: {result["agree"]} top-1 '
              'predictions agree, max logit difference '
              f'{result["max_logit_diff"]:.3g}')
        bad = sorted(n for n, e in errors.items() if e > args.tolerance)
        if bad:
            print(
                f'error: {len(bad)} integer layers do not compute what their '
                f'fake-quantized layers do (e.g. {bad[0]}: relative '
                f'difference {errors[bad[0]]:.2g} > --tolerance '
                f'{args.tolerance:g}); {args.output_file} was not written.',
                file=sys.stderr)
            return 1
    buf = io.BytesIO()
    torch.save(exported, buf)
    with atomic_open(args.output_file, 'wb') as f:
        f.write(buf.getvalue())
    print(f'wrote {args.output_file} ({len(exported["layers"])} quantized '
          'layers)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
