"""DenseNAS densely connected search spaces (Fang et al., CVPR 2020).

A space is a list of routing blocks of growing width. Block 0 (after the
stem) is fixed; every other block ``j`` receives a head op from each of the
up to ``connect`` blocks before it (``edges.i_j``, an op choice with logits
alpha, changing width and, if the resolution halves, stride 2), then runs
``stacks.j.<l>`` stack layers (op choices that include skip, which drops the
layer). Each block's output is sent along its outgoing edges scaled by the
path logits beta (``paths.i``). The widest block ends every path and feeds a
1x1 conv to ``last_dim`` (MobileNetV2 space).

The chained cost, the path derivation (Viterbi over the blocks, then argmax
ops) and the conversion of choices to a DenseNAS ``net_config`` live here
because they follow the graph of the space.
"""
import copy
from typing import Any, Callable, Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmnas.registry import MODELS
from mmnas.utils import UserError
from ..mutables import OneHotMutableOP
from ..mutables.diff_path import DiffMutablePath
from .densenas_net import (DENSENAS_NORM, densenas_op_cfg, format_net_config,
                           he_fout_init, op_out_channels)

_MB_OPS = [f'mbconv_k{k}_t{t}' for k in (3, 5, 7) for t in (3, 6)]

# blocks: [width, resolution divisor after the stem, stack layers]
DENSENAS_SPACES = dict(
    mbv2=dict(
        init_dim=16,
        first_op='mbconv_k3_t1',
        last_dim=1984,
        connect=4,
        head_ops=_MB_OPS,
        stack_ops=_MB_OPS + ['skip_connect'],
        act_cfg=dict(type='ReLU6'),
        blocks=[[16, 1, 0], [24, 2, 3], [32, 4, 3], [40, 4, 3], [48, 4, 3],
                [56, 8, 3], [64, 8, 3], [72, 8, 3], [96, 8, 3], [112, 8, 3],
                [128, 8, 3], [160, 16, 3], [176, 16, 3], [192, 16, 3],
                [320, 16, 0], [352, 16, 0], [384, 16, 0]]),
    resnet=dict(
        init_dim=32,
        first_op='basic_block',
        last_dim=None,
        connect=10,
        head_ops=['basic_block'],
        stack_ops=['basic_block', 'skip_connect'],
        act_cfg=dict(type='ReLU'),
        blocks=[[32, 1, 0], [48, 2, 0], [56, 2, 0], [64, 2, 0], [72, 4, 5],
                [96, 4, 5], [112, 4, 5], [128, 8, 15], [144, 8, 15],
                [160, 8, 15], [176, 8, 15], [192, 8, 5], [208, 8, 5],
                [224, 8, 5], [240, 16, 5], [256, 16, 5], [272, 16, 5],
                [288, 16, 5], [480, 16, 1], [496, 16, 1], [512, 16, 1]]),
)


class DenseNASSpaceError(UserError, ValueError):
    """A DenseNAS space table that cannot form a network."""


@MODELS.register_module()
class DenseNASSupernet(BaseModule):
    """Args:
        space (str | dict): ``'mbv2'``, ``'resnet'`` or a table of the same
            keys as ``DENSENAS_SPACES`` entries.
        small_input (bool): Stride-1 stem, for 32x32 inputs.
        temperature (float): Softmax temperature of every op and path
            logit: probabilities are ``softmax(logits / temperature)`` in
            the op sampling, the path weights, the chained cost and the
            derivation (DenseNAS: 0.9 for the ResNet space, 1 for MBV2).
        norm_cfg (dict): DenseNAS BN (eps 1e-3, momentum 0.1).
    """

    def __init__(self,
                 space: Union[str, dict] = 'mbv2',
                 small_input: bool = False,
                 temperature: float = 1.,
                 norm_cfg: dict = DENSENAS_NORM,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(space, str):
            if space not in DENSENAS_SPACES:
                raise DenseNASSpaceError(
                    f'unknown DenseNAS space {space!r}; use one of '
                    f'{sorted(DENSENAS_SPACES)} or a table dict.')
            space = DENSENAS_SPACES[space]
        self.space = copy.deepcopy(dict(space))
        sp = self.space
        self.widths = [b[0] for b in sp['blocks']]
        levels = [b[1] for b in sp['blocks']]
        self._check(levels)
        self.num_blocks = len(self.widths)
        act = sp['act_cfg']
        self.stem = ConvModule(
            3,
            sp['init_dim'],
            3,
            stride=1 if small_input else 2,
            padding=1,
            norm_cfg=norm_cfg,
            act_cfg=act)
        self.first = MODELS.build(
            densenas_op_cfg(sp['first_op'], sp['init_dim'], self.widths[0], 1,
                            norm_cfg, act))
        # successors of each block: the next `connect` blocks reachable by
        # a stride-1 or stride-2 head op
        self.succ = [[
            j
            for j in range(i + 1, min(i + 1 + sp['connect'], self.num_blocks))
            if levels[j] // levels[i] in (1, 2)
        ] for i in range(self.num_blocks)]
        self.pred = [[i for i in range(j) if j in self.succ[i]]
                     for j in range(self.num_blocks)]
        self.strides = {(i, j): levels[j] // levels[i]
                        for i in range(self.num_blocks) for j in self.succ[i]}

        def op_choice(names, cin, cout, stride):
            return OneHotMutableOP(
                candidates={
                    n: densenas_op_cfg(n, cin, cout, stride, norm_cfg, act)
                    for n in names
                },
                temperature=temperature)

        self.edges = nn.ModuleDict({
            f'{i}_{j}': op_choice(sp['head_ops'], self.widths[i],
                                  self.widths[j], s)
            for (i, j), s in self.strides.items()
        })
        self.stacks = nn.ModuleList([
            nn.ModuleList(
                [op_choice(sp['stack_ops'], w, w, 1) for _ in range(n)])
            for w, _, n in sp['blocks']
        ])
        self.paths = nn.ModuleDict({
            str(i):
            DiffMutablePath(targets=self.succ[i], temperature=temperature)
            for i in range(self.num_blocks - 1)
        })
        self.conv1_1 = None
        if sp.get('last_dim'):
            self.conv1_1 = ConvModule(
                self.widths[-1],
                sp['last_dim'],
                1,
                norm_cfg=norm_cfg,
                act_cfg=act)

    def _check(self, levels: List[int]) -> None:
        sp = self.space
        problems = []
        for i in range(1, len(levels)):
            if levels[i] // levels[i - 1] not in (1, 2) or \
                    levels[i] % levels[i - 1]:
                problems.append(f'block {i} divides the resolution by '
                                f'{levels[i]} after a block at {levels[i - 1]}'
                                ' (each block may halve it at most once)')
            if self.widths[i] <= self.widths[i - 1]:
                problems.append(f'block {i} width {self.widths[i]} is not '
                                f'wider than block {i - 1}')
        if sp['connect'] < 1:
            problems.append('connect must be >= 1')
        if problems:
            raise DenseNASSpaceError(
                'the DenseNAS space table cannot form a network: ' +
                '; '.join(problems) + '. Fix the `blocks` rows.')

    # network ----------------------------------------------------------
    def init_weights(self) -> None:
        super().init_weights()
        if self.init_cfg is None:
            he_fout_init(self)

    def forward(self, x: torch.Tensor):
        inbox: Dict[int, List[torch.Tensor]] = {}
        out = self.first(self.stem(x))
        for j in range(self.num_blocks):
            if j > 0:
                out = sum(inbox.pop(j))
                for layer in self.stacks[j]:
                    out = layer(out)
            if j < self.num_blocks - 1:
                for k, sent in zip(self.succ[j], self.paths[str(j)](out)):
                    inbox.setdefault(k,
                                     []).append(self.edges[f'{j}_{k}'](sent))
        if self.conv1_1 is not None:
            out = self.conv1_1(out)
        return (out, )

    # search -----------------------------------------------------------
    def op_mutables(self) -> Dict[str, OneHotMutableOP]:
        """Every op choice by its name in this module."""
        ops = {f'edges.{k}': m for k, m in self.edges.items()}
        for j, stack in enumerate(self.stacks):
            ops.update({f'stacks.{j}.{i}': m for i, m in enumerate(stack)})
        return ops

    def chained_cost(self,
                     op_cost: Callable[[str, str], float],
                     probs: Optional[Dict[str, torch.Tensor]] = None,
                     skip_reg: float = 0.) -> torch.Tensor:
        """Expected cost of the searched part, differentiable in alpha and
        beta: from the last block back, a block costs its stack layers'
        expected costs plus, over its outgoing paths, path probability x
        (expected head op cost + the successor's chained cost).

        Args:
            op_cost: ``(op mutable name, choice) -> cost``.
            probs: Probabilities to use instead of the tempered softmax of
                the logits, by mutable name (``edges.i_j``, ``stacks.j.l``,
                ``paths.i``), e.g. one-hot ones.
            skip_reg: Charge a skip stack op this fraction of the layer's
                first op (DenseNAS ResNet search); 0 keeps it free, exact.
        """
        probs = probs or {}

        def prob(name, m):
            return probs[name] if name in probs else m.arch_probs()

        def expected(name: str, m: OneHotMutableOP) -> torch.Tensor:
            costs = [float(op_cost(name, c)) for c in m.arch_choices]
            if skip_reg and 'skip_connect' in m.arch_choices:
                costs[m.arch_choices.index('skip_connect')] = \
                    skip_reg * costs[0]
            p = prob(name, m)
            return (p * p.new_tensor(costs)).sum()

        chain: Dict[int, torch.Tensor] = {}
        for j in reversed(range(self.num_blocks)):
            cost = self.stem.conv.weight.new_zeros(())
            for i, m in enumerate(self.stacks[j]):
                cost = cost + expected(f'stacks.{j}.{i}', m)
            if j < self.num_blocks - 1:
                w = prob(f'paths.{j}', self.paths[str(j)])
                for n, k in enumerate(self.succ[j]):
                    name = f'edges.{j}_{k}'
                    cost = cost + w[n] * (
                        expected(name, self.edges[f'{j}_{k}']) + chain[k])
            chain[j] = cost
        return chain[0]

    def best_path(self) -> List[int]:
        """Viterbi over the blocks with the path probabilities: block j is
        reached from the predecessor maximising P(reach i) x p(i -> j)."""
        reach = {0: 1.}
        back = {}
        with torch.no_grad():
            w = {
                i: self.paths[str(i)].weights().tolist()
                for i in range(self.num_blocks - 1)
            }
        for j in range(1, self.num_blocks):
            scores = {
                i: reach[i] * w[i][self.succ[i].index(j)]
                for i in self.pred[j]
            }
            back[j] = max(scores, key=scores.get)
            reach[j] = scores[back[j]]
        path = [self.num_blocks - 1]
        while path[-1] != 0:
            path.append(back[path[-1]])
        return path[::-1]

    def derive_choices(self) -> Dict[str, Any]:
        """Argmax op of every op choice; each path choice on the Viterbi
        path takes its next block, the others their argmax. Keys are names
        in this module."""
        choices = {
            name: m.argmax_choice
            for name, m in self.op_mutables().items()
        }
        choices.update(
            {f'paths.{k}': m.argmax_choice
             for k, m in self.paths.items()})
        path = self.best_path()
        for i, j in zip(path[:-1], path[1:]):
            choices[f'paths.{i}'] = j
        return choices

    def path_of(self, choices: Dict[str, Any]) -> List[int]:
        """The blocks the path choices lead through, from block 0."""
        path = [0]
        while path[-1] != self.num_blocks - 1:
            path.append(choices[f'paths.{path[-1]}'])
        return path

    def net_config_of(self, choices: Dict[str, Any]) -> str:
        """The DenseNAS net_config of ``choices`` (names in this module):
        the blocks on the path, each with the head op of its incoming edge
        and its non-skip stack ops."""
        sp = self.space
        rows = [[[sp['init_dim'], self.widths[0]], sp['first_op'], [], 0, 1]]
        path = self.path_of(choices)
        for i, j in zip(path[:-1], path[1:]):
            stack = [
                choices[f'stacks.{j}.{n}'] for n in range(len(self.stacks[j]))
            ]
            stack = [op for op in stack if op != 'skip_connect']
            rows.append([[self.widths[i], self.widths[j]],
                         choices[f'edges.{i}_{j}'], stack,
                         len(stack), self.strides[(i, j)]])
        if self.conv1_1 is not None:
            rows.append([[
                op_out_channels(rows[-1][1], self.widths[-1]), sp['last_dim']
            ], 'conv1_1'])
        return format_net_config(rows)
