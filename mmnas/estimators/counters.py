"""Params and FLOPs of a model, or of one subnet of a supernet.

FLOPs follow one of three conventions, all counted by fvcore from a traced
forward in eval mode:

- ``'macs'`` (default): multiply-adds of convolutions and matrix products
  (conv, linear, matmul, addmm, bmm, einsum) only; BatchNorm, activations,
  pooling, additions and bias adds are not counted. This is how the NAS
  papers report FLOPs.
- ``'fvcore'``: fvcore's ``FlopCountAnalysis`` defaults, which add
  BatchNorm (2 per output element with affine parameters in eval mode),
  adaptive average pooling (1 per input element), other norms and
  upsampling. Counts labelled "fvcore" elsewhere are usually this.
- ``'mmrazor'``: MMRazor 1.0's ``ResourceEstimator``: conv multiply-adds
  plus conv bias (1 per output element), linear multiply-adds, BatchNorm and
  other norms (2 per input element with affine parameters, else 1), ReLU /
  ReLU6 / LeakyReLU / ELU / PReLU (1 per output element), pooling (1 per
  input element), upsampling (1 per output element); nothing else (no
  matmul, sigmoid, hardswish, additions).

Params are all parameters a (sub)network uses.
"""
from contextlib import contextmanager
from typing import Any, Dict, Mapping, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from fvcore.nn import FlopCountAnalysis
from fvcore.nn.jit_analysis import JitModelAnalysis
from fvcore.nn.jit_handles import (addmm_flop_jit, bmm_flop_jit, conv_flop_jit,
                                   einsum_flop_jit, get_shape, linear_flop_jit,
                                   matmul_flop_jit)

from mmnas.models.mutables import BaseMutable

Cost = Dict[str, int]

# traced op -> MAC counter; every other op is ignored
FLOP_HANDLES = {
    'aten::_convolution': conv_flop_jit,
    'aten::addmm': addmm_flop_jit,
    'aten::bmm': bmm_flop_jit,
    'aten::einsum': einsum_flop_jit,
    'aten::matmul': matmul_flop_jit,
    'aten::mm': matmul_flop_jit,
    'aten::linear': linear_flop_jit,
}


def _numel(value) -> int:
    shape = get_shape(value)
    return int(np.prod(shape)) if shape is not None else 0


def _conv_with_bias(inputs, outputs) -> int:
    macs = conv_flop_jit(inputs, outputs)  # a Counter {'conv': n}
    bias = _numel(outputs[0]) if get_shape(inputs[2]) is not None else 0
    return int(sum(macs.values())) + bias


def _norm(inputs, outputs) -> int:
    affine = get_shape(inputs[1]) is not None
    return _numel(inputs[0]) * (2 if affine else 1)


def _input_elements(inputs, outputs) -> int:
    return _numel(inputs[0])


def _output_elements(inputs, outputs) -> int:
    return _numel(outputs[0])


# what MMRazor 1.0's ResourceEstimator counts, per traced op
MMRAZOR_HANDLES = dict(
    {
        'aten::_convolution': _conv_with_bias,
        'aten::addmm': addmm_flop_jit,
        'aten::linear': linear_flop_jit,
    }, **{
        f'aten::{op}': _norm
        for op in ('batch_norm', 'instance_norm', 'layer_norm', 'group_norm')
    }, **{
        f'aten::{op}{inplace}': _output_elements
        for op in ('relu', 'relu6', 'hardtanh', 'leaky_relu', 'elu')
        for inplace in ('', '_')
    }, **{'aten::prelu': _output_elements}, **{
        f'aten::{kind}_pool{d}d': _input_elements
        for kind in ('max', 'avg', 'adaptive_max', 'adaptive_avg')
        for d in (1, 2, 3)
    }, **{
        f'aten::upsample_{mode}': _output_elements
        for mode in ('nearest1d', 'nearest2d', 'nearest3d', 'linear1d',
                     'bilinear2d', 'bicubic2d', 'trilinear3d')
    })
CONVENTIONS = ('macs', 'fvcore', 'mmrazor')


class _TensorMode(nn.Module):
    """Calls an mmengine model in ``mode='tensor'`` so it can be traced."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor):
        return self.model(x, mode='tensor')


def unwrap(model: nn.Module) -> nn.Module:
    """The network to count: an algorithm's ``architecture``, else the
    model itself."""
    arch = getattr(model, 'architecture', None)
    return arch if isinstance(arch, nn.Module) else model


def traceable(model: nn.Module) -> nn.Module:
    """``model`` as a module whose ``forward(x)`` returns tensors."""
    from mmengine.model import BaseModel
    return _TensorMode(model) if isinstance(model, BaseModel) else model


@contextmanager
def eval_no_grad(model: nn.Module):
    """Eval mode and no autograd for the block; the mode is restored."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def dummy_input(model: nn.Module, shape: Sequence[int]) -> torch.Tensor:
    """Zeros of ``shape`` on the model's device and dtype."""
    p = next(model.parameters(), None)
    if p is None:
        return torch.zeros(*shape)
    return torch.zeros(*shape, device=p.device, dtype=p.dtype)


def flop_analysis(module: nn.Module,
                  inputs: Tuple,
                  convention: str = 'macs') -> JitModelAnalysis:
    """fvcore analysis of ``module(*inputs)`` under ``convention`` (see the
    module docstring), silent about the ops it skips. It traces on the
    first query (``total()``, ``by_module()``); the module's mode is left to
    the caller."""
    if convention == 'fvcore':
        analysis = FlopCountAnalysis(module, inputs)
    elif convention in ('macs', 'mmrazor'):
        analysis = JitModelAnalysis(module, inputs)
        analysis.set_op_handle(
            **(FLOP_HANDLES if convention == 'macs' else MMRAZOR_HANDLES))
    else:
        raise ValueError(f'unknown FLOPs convention {convention!r}; '
                         f'choose one of {CONVENTIONS}')
    analysis.unsupported_ops_warnings(False)
    analysis.uncalled_modules_warnings(False)
    analysis.tracer_warnings('none')
    return analysis


def count_flops(module: nn.Module,
                inputs: Tuple,
                convention: str = 'macs') -> int:
    """FLOPs of ``module(*inputs)`` under ``convention``."""
    return int(flop_analysis(module, inputs, convention).total())


def active_params(module: nn.Module) -> int:
    """Parameters ``module`` uses with the current choices of the mutables
    inside it (each mutable answers through ``active_param_count``)."""
    if isinstance(module, BaseMutable):
        return module.active_param_count(active_params)
    own = sum(p.numel() for p in module.parameters(recurse=False))
    return own + sum(active_params(m) for m in module.children())


def count_static(model: nn.Module,
                 input_shape: Sequence[int] = (1, 3, 224, 224),
                 convention: str = 'macs') -> Cost:
    """Params and FLOPs of a static network: an mmcls classifier (counted in
    ``mode='tensor'``), a bare backbone, or an algorithm (its
    ``architecture``)."""
    net = unwrap(model)
    with eval_no_grad(net):
        flops = count_flops(
            traceable(net), (dummy_input(net, input_shape), ), convention)
    return dict(params=sum(p.numel() for p in net.parameters()), flops=flops)


@contextmanager
def chosen(mutator, choices: Mapping[str, Any]):
    """Set ``choices`` on the supernet for the block, then restore the
    previous ones."""
    previous = dict(mutator.current_choices)
    mutator.set_choices(choices)
    try:
        yield
    finally:
        mutator.set_choices(previous)


def count_subnet(architecture: nn.Module,
                 mutator,
                 choices: Mapping[str, Any],
                 input_shape: Sequence[int] = (1, 3, 224, 224),
                 convention: str = 'macs') -> Cost:
    """Params and FLOPs of one subnet of a supernet, without copying it:
    only the chosen candidates run in the trace, and only the parameters
    the mutables report as active are counted. Equals ``count_static`` of
    the static subnet built from the same config and choices."""
    net = unwrap(architecture)
    with chosen(mutator, choices), eval_no_grad(net):
        flops = count_flops(
            traceable(net), (dummy_input(net, input_shape), ), convention)
        params = active_params(net)
    return dict(params=params, flops=flops)
