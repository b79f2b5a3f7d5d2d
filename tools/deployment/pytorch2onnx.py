"""Export a config's network (a subnet or a rebuilt architecture) to ONNX.

    python tools/deployment/pytorch2onnx.py CONFIG [CHECKPOINT] \
        [--subnet FILE] --shape H W --output-file F [--verify] \
        [--opset N] [--cfg-options k=v ...]

CONFIG is a static network (a SubnetModel config such as the SPOS, AngleNAS,
DSNAS and PONAS subnets, or a DenseNAS net) or a search config with
--subnet (its chosen path is exported). CHECKPOINT is that network's
checkpoint (tools/train.py's, or export_subnet.py's / mmrazor2mmnas.py's);
for a search config, its supernet checkpoint. Without one the weights are
the initial ones. The graph takes ``input`` (N, 3, H, W) with a dynamic
batch size and returns ``output``, the class scores (logits).
``--verify`` runs the file in onnxruntime on a batch of 2 and compares with
PyTorch (max abs diff at most 1e-4); the file is written only if it passes.
onnx and onnxruntime are optional dependencies (requirements/optional.txt).
"""
import argparse
import io
import sys
import warnings

import numpy as np
import torch

from mmnas import register_all_modules
from mmnas.estimators.counters import traceable
from mmnas.models.subnet import build_network
from mmnas.utils import UserError, atomic_open, cli_main
from mmnas.utils.config import (add_cfg_options_argument, add_shape_argument,
                                load_config)

TOLERANCE = 1e-4


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='weights (optional)')
    parser.add_argument(
        '--subnet',
        help='subnet file: the subnet of a search config, or '
        'model.subnet of a SubnetModel config')
    add_shape_argument(parser, 'input height and width', required=True)
    parser.add_argument('--output-file', required=True, help='.onnx to write')
    parser.add_argument(
        '--verify',
        action='store_true',
        help='compare onnxruntime with PyTorch before writing')
    parser.add_argument('--opset', type=int, default=13)
    add_cfg_options_argument(parser)
    return parser.parse_args(argv)


def export(net, shape, opset) -> bytes:
    """The ONNX file of ``net`` for inputs of ``shape``, batch dynamic."""
    buf = io.BytesIO()
    # the exporter restores the wrapper's mode afterwards: keep it eval
    with torch.no_grad(), warnings.catch_warnings():
        # the TorchScript exporter (no onnxscript needed) is deprecated;
        # shape asserts in traced code are constants for a fixed network
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        warnings.filterwarnings('ignore', category=torch.jit.TracerWarning)
        torch.onnx.export(
            traceable(net).eval(), (torch.randn(*shape), ),
            buf,
            dynamo=False,
            input_names=['input'],
            output_names=['output'],
            dynamic_axes=dict(input={0: 'batch'}, output={0: 'batch'}),
            opset_version=opset)
    return buf.getvalue()


def verify(net, data: bytes, shape) -> float:
    """Max abs difference of onnxruntime and PyTorch on a batch of 2."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise UserError('--verify needs onnxruntime: pip install -r '
                        'requirements/optional.txt')
    x = torch.randn(2, *shape[1:], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = traceable(net).eval()(x).numpy()
    session = ort.InferenceSession(data, providers=['CPUExecutionProvider'])
    got = session.run(None, {'input': x.numpy()})[0]
    if got.shape != expected.shape:
        raise RuntimeError(f'onnxruntime gave shape {got.shape}, PyTorch '
                           f'{expected.shape}')
    return float(np.abs(got - expected).max())


@cli_main
def main(argv=None):
    args = parse_args(argv)
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise UserError('ONNX export needs onnx: pip install -r '
                        'requirements/optional.txt')
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    if 'model' not in cfg:
        raise UserError(f'config {args.config!r} has no `model` to export.')
    net = build_network(cfg.model, args.checkpoint, args.subnet)
    shape = (1, 3, *args.shape)
    data = export(net, shape, args.opset)
    if args.verify:
        diff = verify(net, data, shape)
        print(f'onnxruntime vs PyTorch: max abs diff {diff:.3g} '
              f'(tolerance {TOLERANCE:g})')
        if not diff <= TOLERANCE:
            print(
                f'error: the ONNX graph differs from PyTorch by {diff:.3g} '
                f'> {TOLERANCE:g}; {args.output_file} was not written.',
                file=sys.stderr)
            return 1
    with atomic_open(args.output_file, 'wb') as f:
        f.write(data)
    print(f'wrote {args.output_file} ({len(data) / 1e6:.1f} MB, opset '
          f'{args.opset}, input (N, 3, {args.shape[0]}, {args.shape[1]}))')
    return 0


if __name__ == '__main__':
    sys.exit(main())
