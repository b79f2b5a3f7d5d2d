"""Exact cost lookup tables: the params/FLOPs of every candidate of every
decision and of the fixed part, counted once, so a subnet's cost is a sum.

A decision's cost unit is each of its mutables: the FLOPs fvcore attributes
to the mutable's module (its forward runs the current choice) in a trace of
the whole network, plus the parameters it reports through
``BaseMutable.active_param_count``. One trace per probe subnet covers every
candidate (probe i takes choice i of each decision). The fixed part is one
subnet's full count minus its chosen units, so a table sum equals
``count_subnet`` for every subnet of an additive space (a unit's input
shape and cost depend on its own choice only). Mutables nested in a
candidate of another (a block's width inside its block choice) become
children tables of that candidate. Tables are cached on disk by a hash of
the search space, the architecture's structure and the input shape.
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
from mmnas.models.mutators import SearchSpaceError
from mmnas.registry import TASK_UTILS
from mmnas.utils import UserError, atomic_write
from .base import BaseEstimator
from .counters import (CONVENTIONS, Cost, active_params, chosen, dummy_input,
                       eval_no_grad, flop_analysis, traceable, unwrap)

TABLE_VERSION = 2  # bump when the counting convention or format changes
Shapes = Tuple[Tuple[int, ...], ...]
# (own params, own FLOPs, ((nested decision, {choice: Node}), ...))
Node = Tuple[int, int, tuple]


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
        shapes = [[n, list(p.shape)]
                  for n, p in m.named_parameters(recurse=False)]
        desc.append([name, type(m).__name__, extra, shapes])
    return desc


def fingerprint(net: nn.Module,
                mutator,
                input_shape: Sequence[int],
                convention: str = 'macs') -> str:
    """Hash of the search space, the architecture, the input shape and the
    FLOPs convention."""
    desc = dict(
        version=TABLE_VERSION,
        convention=convention,
        space=mutator.search_space(),
        arch=structure(net),
        input_shape=list(input_shape))
    text = json.dumps(desc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def probe_choices(
        mutator,
        decisions: Optional[Sequence[str]] = None) -> List[Dict[str, Any]]:
    """Subnets that together choose every candidate of every decision (of
    ``decisions``, default all): probe i takes choice ``i mod n`` of each
    decision."""
    space = mutator.search_space()
    n = max(len(space[d]['choices']) for d in decisions or space)
    return [
        OrderedDict((k, d['choices'][i % len(d['choices'])])
                    for k, d in space.items()) for i in range(n)
    ]


def unit_tree(
    mutator
) -> Tuple[List[Tuple[str, str]], Dict[str, List[str]], Dict[str, str]]:
    """The mutables of a space: top-level ``(decision, name)`` pairs, the
    mutables nested directly inside each mutable (e.g. a channel mutable
    inside a candidate op), and each mutable's decision."""
    units = [(key, name) for key in mutator.search_groups
             for name in mutator.group_members(key)]
    names = [n for _, n in units]
    inner: Dict[str, List[str]] = {n: [] for n in names}
    top = []
    for decision, name in units:
        outer = [o for o in names if name.startswith(o + '.')]
        if outer:
            inner[max(outer, key=len)].append(name)
        else:
            top.append((decision, name))
    return top, inner, {n: d for d, n in units}


def unit_names(mutator) -> List[Tuple[str, str]]:
    """``(decision, module name)`` of every mutable, for tables that time or
    count each candidate of a flat space; nested mutables are refused."""
    top, inner, _ = unit_tree(mutator)
    for outer, names in inner.items():
        if names:
            raise CostTableError(
                f'mutable {names[0]!r} is nested inside mutable {outer!r}; '
                'this table needs a flat space (every candidate timed '
                'alone). Use a CostTable (FLOPs/params) for this space.')
    return top


def record_unit_inputs(modules: Mapping[str, nn.Module],
                       run: Callable[[], Any]) -> Tuple[Dict, Any]:
    """Call ``run()`` and return, per unit, the shapes of the tensor
    arguments of each of its calls, and what ``run`` returned."""
    seen: Dict[str, List[Shapes]] = {name: [] for name in modules}
    hooks = []
    for name, module in modules.items():

        def hook(_, args, name=name):
            seen[name].append(
                tuple(
                    tuple(a.shape) for a in args
                    if isinstance(a, torch.Tensor)))

        hooks.append(module.register_forward_pre_hook(hook))
    try:
        result = run()
    finally:
        for h in hooks:
            h.remove()
    return seen, result


def probe_runs(mutator,
               modules: Mapping[str, nn.Module],
               run: Callable[[], Any],
               decisions: Optional[Sequence[str]] = None):
    """For each probe subnet: set its choices, ``run()`` it while recording
    the units' inputs, check that no unit's input depends on the choices of
    other decisions, and yield ``(probe, inputs, result)`` with the probe
    still set."""
    first: Dict[str, List[Shapes]] = {}
    for probe in probe_choices(mutator, decisions):
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


@TASK_UTILS.register_module()
class CostTable(BaseEstimator):
    """Params/FLOPs per ``(decision, choice)`` plus the fixed part;
    ``cost(choices)`` is a table sum.

    Args:
        input_shape (Sequence[int]): Input shape the costs are counted at.
        convention (str): FLOPs convention (see ``counters``).
        cache_dir (str, optional): Folder of cached tables (default
            ``$MMNAS_CACHE_DIR/cost_tables``).
        cache (bool): Read and write the cache.
    """
    units = dict(params=1e6, flops=1e6)  # constraints in M params, MFLOPs

    def __init__(self,
                 input_shape: Sequence[int] = (1, 3, 224, 224),
                 convention: str = 'macs',
                 cache_dir: Optional[str] = None,
                 cache: bool = True) -> None:
        if convention not in CONVENTIONS:
            raise CostTableError(f'convention={convention!r}: choose one of '
                                 f'{CONVENTIONS}.')
        self.input_shape = tuple(input_shape)
        self.convention = convention
        self.cache_dir = cache_dir
        self.cache = cache
        self.key = ''
        self._mutator = None

    def _fill(self, fixed: Cost, entries: 'OrderedDict[str, Dict[Any, Node]]',
              key: str, mutator) -> 'CostTable':
        self._fixed = dict(
            params=int(fixed['params']), flops=int(fixed['flops']))
        self._entries = entries
        self._space = OrderedDict()
        _collect_choices(entries, self._space)
        self._nested = len(self._space) != len(entries)
        self.key = key
        self._mutator = mutator
        return self

    # building ---------------------------------------------------------
    def bind(self, architecture: nn.Module, mutator) -> 'CostTable':
        """Count every candidate of ``architecture``'s search space, or load
        the cached table of the same space, input shape and convention."""
        net = unwrap(architecture)
        key = fingerprint(net, mutator, self.input_shape, self.convention)
        path = osp.join(self.cache_dir or default_cache_dir(), f'{key}.json')
        if self.cache and osp.isfile(path):
            try:
                return self._read(path, mutator, key)
            except (ValueError, KeyError, TypeError) as e:
                warnings.warn(f'cost table cache {path} is unreadable ({e}); '
                              'rebuilding it.')
        self._fill(
            *self._count(net, mutator, self.input_shape, self.convention), key,
            mutator)
        if self.cache:
            self.save(path)
        return self

    @property
    def fixed(self) -> Cost:
        return dict(self._fixed)

    @classmethod
    def _count(cls, net, mutator, input_shape, convention):
        """One fvcore trace per probe subnet: its total, and per top-level
        unit the FLOPs fvcore attributes to the unit's module. A unit with
        mutables nested inside is counted alone per choice instead, with
        the nested ones as children (see :meth:`_alone`)."""
        top, inner, decision_of = unit_tree(mutator)
        modules = OrderedDict((n, net.get_submodule(n)) for _, n in top)
        model = traceable(net)
        prefix = '' if model is net else 'model.'
        entries = OrderedDict((d, {}) for d, _ in top)
        nested: Dict[str, Dict[Any, Node]] = {}
        fixed = None

        def run():
            analysis = flop_analysis(model, (dummy_input(net, input_shape), ),
                                     convention)
            return int(analysis.total()), analysis.by_module()

        with eval_no_grad(net):
            for probe, seen, (total,
                              by_module) in probe_runs(mutator, modules, run,
                                                       list(entries)):
                unit = {
                    n: (active_params(m), int(by_module[prefix + n]))
                    for n, m in modules.items()
                }
                for n, m in modules.items():
                    if inner[n] and n not in nested:
                        nested[n] = cls._alone(net, n, m, seen[n], inner,
                                               decision_of, convention)
                for decision in entries:
                    nodes = [
                        nested[n][probe[decision]] if inner[n] else
                        (*unit[n], ()) for d, n in top if d == decision
                    ]
                    entries[decision][probe[decision]] = (sum(x[0]
                                                              for x in nodes),
                                                          sum(x[1]
                                                              for x in nodes),
                                                          tuple(k
                                                                for x in nodes
                                                                for k in x[2]))
                if fixed is None:
                    fixed = dict(
                        params=active_params(net) -
                        sum(c[0] for c in unit.values()),
                        flops=total - sum(c[1] for c in unit.values()))
        return fixed, entries

    @classmethod
    def _alone(cls, net, name: str, mutable: nn.Module, calls: List[Shapes],
               inner: Dict[str, List[str]], decision_of: Dict[str, str],
               convention: str) -> Dict[Any, Node]:
        """Per choice of ``mutable``: its own cost (without the mutables
        nested in it) counted alone on its recorded inputs, and those
        nested mutables that run, recursively, as children."""
        kids = OrderedDict(
            (k, mutable.get_submodule(k[len(name) + 1:])) for k in inner[name])
        previous, table = mutable.current_choice, {}
        try:
            for choice in mutable.choices:
                mutable.current_choice = choice
                params, flops, active = active_params(mutable), 0, {}
                for shapes in calls:
                    inputs = tuple(dummy_input(net, s) for s in shapes)

                    def run():
                        analysis = flop_analysis(mutable, inputs, convention)
                        return int(analysis.total()), analysis.by_module()

                    seen, (total, by_module) = record_unit_inputs(kids, run)
                    flops += total
                    for k, k_calls in seen.items():
                        if k_calls:
                            flops -= int(by_module[k[len(name) + 1:]])
                            active.setdefault(k, []).extend(k_calls)
                params -= sum(active_params(kids[k]) for k in active)
                table[choice] = (
                    params, flops,
                    tuple((decision_of[k],
                           cls._alone(net, k, kids[k], k_calls, inner,
                                      decision_of, convention))
                          for k, k_calls in active.items()))
        finally:
            mutable.current_choice = previous
        return table

    # lookups ----------------------------------------------------------
    @property
    def decisions(self) -> List[str]:
        """Every decision of the space (nested ones included)."""
        return list(self._space)

    def choices_of(self, decision: str) -> List[Any]:
        return list(self._space[decision])

    def candidate_cost(self, decision: str, choice: Any) -> Cost:
        """Params/FLOPs one candidate adds (all mutables of the decision).
        Defined where that does not depend on other decisions (flat
        spaces); otherwise use :meth:`cost` or :meth:`bounds`."""
        table = self._entries.get(decision)
        if table is None or choice not in table:
            if decision in self._space and choice in self._space[decision]:
                raise CostTableError(
                    f'{decision!r} is nested in another decision: its cost '
                    'depends on that decision. Use cost() or bounds().')
            self._refuse({decision: choice}, partial=True)
        p, f, kids = table[choice]
        if kids:
            raise CostTableError(
                f'the cost of {decision!r} = {choice!r} depends on the '
                f'nested decisions {sorted({d for d, _ in kids})}. Use '
                'cost() or bounds().')
        return dict(params=p, flops=f)

    def cost(self, choices: Mapping[str, Any]) -> Cost:
        """Params/FLOPs of the subnet ``choices`` (one entry per
        decision)."""
        try:
            params, flops = _nested_cost(self._entries.items(), choices)
        except (KeyError, TypeError):
            self._refuse(choices)
        # flat: every decision was looked up, so equal sizes mean equal keys
        if len(choices) != len(self._space) or (
                self._nested and choices.keys() != self._space.keys()):
            self._refuse(choices)
        return dict(
            params=self.fixed['params'] + params,
            flops=self.fixed['flops'] + flops)

    def bounds(self) -> Dict[str, Tuple[int, int]]:
        """``{'params': (min, max), 'flops': (min, max)}`` over the space,
        each metric on its own (exact unless a nested decision is shared by
        several top-level candidates, where it is a bound)."""
        out = {}
        for i, metric in enumerate(('params', 'flops')):
            lo = hi = self.fixed[metric]
            for table in self._entries.values():
                lo += min(_extreme(n, i, min) for n in table.values())
                hi += max(_extreme(n, i, max) for n in table.values())
            out[metric] = (lo, hi)
        return out

    def _refuse(self, choices: Mapping[str, Any], partial: bool = False):
        if self._mutator is not None:
            self._mutator.validate_choices(choices, partial=partial)
        raise SearchSpaceError(
            f'choices {dict(choices)} do not fit this cost table (decisions '
            f'{self.decisions}). Pass one valid choice per decision.')

    # files ------------------------------------------------------------
    def to_dict(self) -> dict:
        return dict(
            format='mmnas-cost-table',
            version=TABLE_VERSION,
            key=self.key,
            convention=self.convention,
            input_shape=list(self.input_shape),
            fixed=self._fixed,
            decisions=[
                dict(name=d, **_dump(t)) for d, t in self._entries.items()
            ])

    def save(self, path: str) -> str:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        atomic_write(path, json.dumps(self.to_dict()) + '\n')
        return path

    @classmethod
    def load(cls,
             path: str,
             mutator=None,
             key: Optional[str] = None) -> 'CostTable':
        """A saved table; ValueError if it is not one, or not the one of
        ``key`` / of ``mutator``'s search space."""
        return cls()._read(path, mutator, key)

    def _read(self, path: str, mutator, key: Optional[str]) -> 'CostTable':
        with open(path) as f:
            data = json.load(f)
        if data.get('format') != 'mmnas-cost-table' or \
                data.get('version') != TABLE_VERSION:
            raise ValueError(f'{path} is not a version-{TABLE_VERSION} '
                             'mmnas cost table')
        if key is not None and data['key'] != key:
            raise ValueError(f'{path} is the table of another space')
        entries = OrderedDict((d['name'], _load(d)) for d in data['decisions'])
        space = OrderedDict()
        _collect_choices(entries, space)
        if mutator is not None:
            theirs = mutator.search_space()
            if set(theirs) != set(space) or any(theirs[k]['choices'] != v
                                                for k, v in space.items()):
                raise ValueError(f'{path} does not match the search space')
        self.input_shape = tuple(data['input_shape'])
        self.convention = data.get('convention', 'macs')
        return self._fill(data['fixed'], entries, data['key'], mutator)


def _nested_cost(kids, choices: Mapping[str, Any]) -> Tuple[int, int]:
    """Params and FLOPs that the ``(decision, table)`` pairs ``kids`` and
    the decisions nested in them add for ``choices``."""
    params = flops = 0
    for decision, table in kids:
        p, f, deeper = table[choices[decision]]
        params += p
        flops += f
        if deeper:
            p, f = _nested_cost(deeper, choices)
            params += p
            flops += f
    return params, flops


def _extreme(node: Node, i: int, pick) -> int:
    return node[i] + sum(
        pick(_extreme(n, i, pick) for n in table.values())
        for _, table in node[2])


def _collect_choices(entries: Mapping[str, Dict[Any, Node]],
                     space: Dict[str, List[Any]]) -> None:
    """Every decision of a table tree and its choices, in order."""
    for decision, table in entries.items():
        known = space.setdefault(decision, [])
        known += [c for c in table if c not in known]
        for node in table.values():
            for kid_decision, kid_table in node[2]:
                _collect_choices({kid_decision: kid_table}, space)


def _dump(table: Dict[Any, Node]) -> dict:
    return dict(
        choices=list(table),
        params=[n[0] for n in table.values()],
        flops=[n[1] for n in table.values()],
        children=[[dict(decision=d, **_dump(t)) for d, t in n[2]]
                  for n in table.values()])


def _load(data: dict) -> Dict[Any, Node]:
    return {
        c: (int(p), int(f), tuple((k['decision'], _load(k)) for k in kids))
        for c, p, f, kids in zip(data['choices'], data['params'],
                                 data['flops'], data['children'])
    }
