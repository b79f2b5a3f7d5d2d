"""Exact cost lookup tables: the params/FLOPs of every candidate of every
decision and of the fixed part, counted once, so a subnet's cost is a sum.

A decision's cost unit is each of its mutables: the FLOPs fvcore attributes
to the mutable's module (its forward runs the current choice) in a trace of
the whole network, plus the parameters it reports through
``BaseMutable.active_param_count``. One trace per probe subnet covers every
candidate (probe i takes choice i of each decision). The fixed part is one
subnet's full count minus its chosen units, so a table sum equals
``count_subnet`` for every subnet of an additive space (a unit's input
shape and cost depend on its own choice only). Tables are cached on disk by a hash of the search
space, the architecture's structure and the input shape.
"""
import hashlib
import json
import os
import os.path as osp
import warnings
from collections import OrderedDict
from typing import (Any, Callable, Dict, List, Mapping, Optional, Sequence,
                    Tuple)

import torch
import torch.nn as nn

from mmnas.models.mutables import BaseMutable
from mmnas.utils import UserError, atomic_write
from .counters import (Cost, active_params, chosen, dummy_input, eval_no_grad,
                       flop_analysis, traceable, unwrap)

TABLE_VERSION = 1  # bump when the counting convention changes
Shapes = Tuple[Tuple[int, ...], ...]


class CostTableError(UserError, ValueError):
    """A search space a cost table cannot describe exactly."""


def default_cache_dir(kind: str = 'cost_tables') -> str:
    root = os.environ.get('MMNAS_CACHE_DIR',
                          osp.join(osp.expanduser('~'), '.cache', 'mmnas'))
    return osp.join(root, kind)


def structure(net: nn.Module) -> List[list]:
    """What fixes the counts: every module's type and settings and every
    parameter's shape (mutables without their current choice)."""
    desc = []
    for name, m in net.named_modules():
        extra = '' if isinstance(m, BaseMutable) else m.extra_repr()
        shapes = [[n, list(p.shape)] for n, p in m.named_parameters(
            recurse=False)]
        desc.append([name, type(m).__name__, extra, shapes])
    return desc


def fingerprint(net: nn.Module, mutator, input_shape: Sequence[int]) -> str:
    """Hash of the search space, the architecture and the input shape."""
    desc = dict(version=TABLE_VERSION, space=mutator.search_space(),
                arch=structure(net), input_shape=list(input_shape))
    text = json.dumps(desc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def probe_choices(mutator) -> List[Dict[str, Any]]:
    """Subnets that together choose every candidate of every decision:
    probe i takes choice ``i mod n`` of each decision."""
    space = mutator.search_space()
    n = max(len(d['choices']) for d in space.values())
    return [OrderedDict((k, d['choices'][i % len(d['choices'])])
                        for k, d in space.items()) for i in range(n)]


def unit_names(mutator) -> List[Tuple[str, str]]:
    """``(decision, module name)`` of every mutable; nested mutables are
    refused (their cost is not additive)."""
    units = [(key, name) for key in mutator.search_groups
             for name in mutator.group_members(key)]
    names = [n for _, n in units]
    for name in names:
        outer = [o for o in names if name.startswith(o + '.')]
        if outer:
            raise CostTableError(
                f'mutable {name!r} is nested inside mutable {outer[0]!r}: '
                'its cost depends on two decisions, so no per-candidate '
                'table is exact. Use count_subnet for this space.')
    return units


def record_unit_inputs(modules: Mapping[str, nn.Module],
                       run: Callable[[], Any]) -> Tuple[Dict, Any]:
    """Call ``run()`` and return, per unit, the shapes of the tensor
    arguments of each of its calls, and what ``run`` returned."""
    seen: Dict[str, List[Shapes]] = {name: [] for name in modules}
    hooks = []
    for name, module in modules.items():

        def hook(_, args, name=name):
            seen[name].append(tuple(
                tuple(a.shape) for a in args if isinstance(a, torch.Tensor)))

        hooks.append(module.register_forward_pre_hook(hook))
    try:
        result = run()
    finally:
        for h in hooks:
            h.remove()
    return seen, result


def probe_runs(mutator, modules: Mapping[str, nn.Module],
               run: Callable[[], Any]):
    """For each probe subnet: set its choices, ``run()`` it while recording
    the units' inputs, check that no unit's input depends on the choices of
    other decisions, and yield ``(probe, inputs, result)`` with the probe
    still set."""
    first: Dict[str, List[Shapes]] = {}
    for probe in probe_choices(mutator):
        with chosen(mutator, probe):
            seen, result = record_unit_inputs(modules, run)
            for name, calls in seen.items():
                if not calls:
                    raise CostTableError(
                        f'mutable {name!r} did not run in the forward pass; '
                        'a cost table needs every mutable to run its choice '
                        'in its own forward (see docs/estimators.md).')
                if first.setdefault(name, calls) != calls:
                    raise CostTableError(
                        f'the input of mutable {name!r} changes with other '
                        f'decisions ({first[name]} vs {calls}): the space is '
                        'not additive, so no per-candidate table is exact. '
                        'Use count_subnet for this space.')
            yield probe, seen, result


class CostTable:
    """Params/FLOPs per ``(decision, choice)`` plus the fixed part.

    Build with :meth:`build`; ``cost(choices)`` is a table sum.
    """

    def __init__(self, fixed: Cost,
                 entries: 'OrderedDict[str, Dict[Any, Tuple[int, int]]]',
                 input_shape: Sequence[int], key: str = '',
                 mutator=None) -> None:
        self.fixed = dict(params=int(fixed['params']),
                          flops=int(fixed['flops']))
        self._entries = entries
        self.input_shape = tuple(input_shape)
        self.key = key
        self._mutator = mutator

    # building ---------------------------------------------------------
    @classmethod
    def build(cls,
              architecture: nn.Module,
              mutator,
              input_shape: Sequence[int] = (1, 3, 224, 224),
              cache_dir: Optional[str] = None,
              cache: bool = True) -> 'CostTable':
        """Count every candidate of ``architecture``'s search space (or load
        the cached table of the same space and input shape)."""
        net = unwrap(architecture)
        key = fingerprint(net, mutator, input_shape)
        path = osp.join(cache_dir or default_cache_dir(), f'{key}.json')
        if cache and osp.isfile(path):
            try:
                return cls.load(path, mutator, key)
            except (ValueError, KeyError, TypeError) as e:
                warnings.warn(f'cost table cache {path} is unreadable ({e}); '
                              'rebuilding it.')
        table = cls._count(net, mutator, input_shape, key)
        if cache:
            table.save(path)
        return table

    @classmethod
    def _count(cls, net, mutator, input_shape, key) -> 'CostTable':
        """One fvcore trace per probe subnet: its total, and per unit the
        FLOPs fvcore attributes to the unit's module."""
        units = unit_names(mutator)
        modules = OrderedDict((n, net.get_submodule(n)) for _, n in units)
        model = traceable(net)
        prefix = '' if model is net else 'model.'
        entries = OrderedDict((k, {}) for k in mutator.search_groups)
        fixed = None

        def run():
            analysis = flop_analysis(model, (dummy_input(net, input_shape), ))
            return int(analysis.total()), analysis.by_module()

        with eval_no_grad(net):
            for probe, _, (total, by_module) in probe_runs(
                    mutator, modules, run):
                unit = {n: (active_params(m), int(by_module[prefix + n]))
                        for n, m in modules.items()}
                for decision in entries:
                    members = [unit[n] for d, n in units if d == decision]
                    entries[decision][probe[decision]] = (
                        sum(c[0] for c in members), sum(c[1] for c in members))
                if fixed is None:
                    fixed = dict(
                        params=active_params(net) -
                        sum(c[0] for c in unit.values()),
                        flops=total - sum(c[1] for c in unit.values()))
        return cls(fixed, entries, input_shape, key, mutator)

    # lookups ----------------------------------------------------------
    @property
    def decisions(self) -> List[str]:
        return list(self._entries)

    def choices_of(self, decision: str) -> List[Any]:
        return list(self._entries[decision])

    def candidate_cost(self, decision: str, choice: Any) -> Cost:
        """Params/FLOPs one candidate adds (all mutables of the decision)."""
        try:
            p, f = self._entries[decision][choice]
        except KeyError:
            self._refuse({decision: choice}, partial=True)
        return dict(params=p, flops=f)

    def cost(self, choices: Mapping[str, Any]) -> Cost:
        """Params/FLOPs of the subnet ``choices`` (one entry per
        decision)."""
        params, flops = self.fixed['params'], self.fixed['flops']
        try:
            for decision, table in self._entries.items():
                p, f = table[choices[decision]]
                params += p
                flops += f
        except (KeyError, TypeError):
            self._refuse(choices)
        if len(choices) != len(self._entries):
            self._refuse(choices)
        return dict(params=params, flops=flops)

    def _refuse(self, choices: Mapping[str, Any], partial: bool = False):
        from mmnas.models.mutators import SearchSpaceError
        if self._mutator is not None:
            self._mutator.validate_choices(choices, partial=partial)
        raise SearchSpaceError(
            f'choices {dict(choices)} do not fit this cost table (decisions '
            f'{self.decisions}). Pass one valid choice per decision.')

    # files ------------------------------------------------------------
    def to_dict(self) -> dict:
        return dict(
            format='mmnas-cost-table', version=TABLE_VERSION, key=self.key,
            input_shape=list(self.input_shape), fixed=self.fixed,
            decisions=[dict(name=d, choices=list(t),
                            params=[v[0] for v in t.values()],
                            flops=[v[1] for v in t.values()])
                       for d, t in self._entries.items()])

    def save(self, path: str) -> str:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        atomic_write(path, json.dumps(self.to_dict()) + '\n')
        return path

    @classmethod
    def load(cls, path: str, mutator=None,
             key: Optional[str] = None) -> 'CostTable':
        """Read a saved table; ValueError if it is not one, or not the one
        of ``key`` / of ``mutator``'s search space."""
        with open(path) as f:
            data = json.load(f)
        if data.get('format') != 'mmnas-cost-table' or \
                data.get('version') != TABLE_VERSION:
            raise ValueError(f'{path} is not a version-{TABLE_VERSION} '
                             'mmnas cost table')
        if key is not None and data['key'] != key:
            raise ValueError(f'{path} is the table of another space')
        entries = OrderedDict()
        for d in data['decisions']:
            vals = zip(d['params'], d['flops'])
            entries[d['name']] = {c: (int(p), int(fl))
                                  for c, (p, fl) in zip(d['choices'], vals)}
        if mutator is not None:
            space = mutator.search_space()
            if list(space) != list(entries) or any(
                    space[k]['choices'] != list(v)
                    for k, v in entries.items()):
                raise ValueError(f'{path} does not match the search space')
        return cls(data['fixed'], entries, data['input_shape'], data['key'],
                   mutator)
