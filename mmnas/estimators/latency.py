"""Latency lookup tables: the measured time of every candidate of every
decision (and of the fixed part) on one device, so a subnet's latency is
predicted as a sum.

Each candidate is timed in place, inside forward passes of probe subnets
that together choose every candidate (hooks around each mutable; warm-up,
then the median of ``repeat`` runs; CUDA is synchronised around each
candidate). The fixed part is a whole probe subnet's time minus its
candidates', median over the probes. A table records the device and the
search space it was measured for and refuses to predict for another space.
"""
import json
import os
import os.path as osp
import platform
import statistics
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from mmnas.registry import TASK_UTILS
from mmnas.utils import UserError, atomic_write, track
from .base import BaseEstimator
from .cost_table import probe_runs, unit_names
from .counters import chosen, dummy_input, eval_no_grad, traceable, unwrap

TABLE_FORMAT = 'mmnas-latency-table'
# what a table file holds
_DATA = ('fixed_ms', '_entries', 'space', 'device', 'repeat', 'warmup')


class LatencyTableError(UserError, ValueError):
    """A latency table that is unreadable or belongs to another space."""


def device_description(device: torch.device) -> Dict[str, Any]:
    """What the timings depend on: the processor, torch, threads."""
    desc = dict(
        device=device.type,
        torch=torch.__version__,
        threads=torch.get_num_threads())
    if device.type == 'cuda':
        desc['name'] = torch.cuda.get_device_name(device)
        desc['cuda'] = torch.version.cuda
    else:
        desc['name'] = _cpu_model()
    return desc


def _cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


CLOCKS = {'wall': time.perf_counter, 'cpu': time.thread_time}


def clock_fn(clock: str, device: torch.device) -> Callable[[], float]:
    """``wall`` (latency) or ``cpu`` (this thread's CPU time: what a
    1-thread CPU run computes, blind to time lost to other processes on a
    shared machine)."""
    if clock not in CLOCKS:
        raise LatencyTableError(f'clock must be one of {list(CLOCKS)}, got '
                                f'{clock!r}')
    if clock == 'cpu' and (device.type != 'cpu'
                           or torch.get_num_threads() != 1):
        raise LatencyTableError(
            'clock "cpu" counts one thread\'s CPU time: use it on CPU with '
            'torch.set_num_threads(1) (--threads 1), or use clock "wall".')
    return CLOCKS[clock]


def median_ms(fn: Callable[[], Any],
              repeat: int,
              warmup: int,
              device: torch.device,
              clock: str = 'wall') -> float:
    """Median time of ``fn()`` in milliseconds."""
    now = clock_fn(clock, device)
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeat):
        t = now()
        fn()
        sync()
        times.append(now() - t)
    return statistics.median(times) * 1e3


def time_units(run: Callable[[], Any],
               modules: Mapping[str, nn.Module],
               repeat: int,
               warmup: int,
               device: torch.device,
               clock: str = 'wall') -> Dict[str, float]:
    """Median time (ms) each module spends inside ``run()``: timed in
    place with hooks, so caches and allocator state are those of the real
    network."""
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    now = clock_fn(clock, device)
    spent = {name: [] for name in modules}
    start: Dict[str, float] = {}
    hooks = []
    for name, module in modules.items():

        def pre(_, args, name=name):
            sync()
            start[name] = now()

        def post(_, args, out, name=name):
            sync()
            spent[name][-1] += now() - start[name]

        hooks += [
            module.register_forward_pre_hook(pre),
            module.register_forward_hook(post)
        ]
    try:
        for i in range(warmup + repeat):
            if i == warmup:
                for calls in spent.values():
                    calls.clear()
            for calls in spent.values():
                calls.append(0.0)
            run()
    finally:
        for h in hooks:
            h.remove()
    return {name: statistics.median(t) * 1e3 for name, t in spent.items()}


def measure_subnet(architecture: nn.Module,
                   mutator,
                   choices: Mapping[str, Any],
                   input_shape: Sequence[int] = (1, 3, 224, 224),
                   repeat: int = 20,
                   warmup: int = 5,
                   clock: str = 'wall') -> float:
    """Measured latency (ms) of the whole subnet ``choices`` on the
    device the supernet is on."""
    net = unwrap(architecture)
    x = dummy_input(net, input_shape)
    with chosen(mutator, choices), eval_no_grad(net):
        return median_ms(lambda: traceable(net)(x), repeat, warmup, x.device,
                         clock)


def _space_text(space: Mapping) -> str:
    return json.dumps(space, sort_keys=True, default=str)


@TASK_UTILS.register_module()
class LatencyTable(BaseEstimator):
    """Latency (ms) per ``(decision, choice)`` plus the fixed part.

    Args:
        table (str, optional): A table file written by
            ``tools/analysis/build_latency_lut.py`` (or :meth:`save`).
    """
    units = dict(latency=1.)  # constraints in ms

    def __init__(self, table: Optional[str] = None) -> None:
        self.table = table

    def __getattr__(self, name: str):
        # the file is read on first use, so a config naming a table that
        # is not built yet still builds
        if name in _DATA and self.__dict__.get('table') is not None:
            self._read(self.table)
            return self.__dict__[name]
        raise AttributeError(name)

    def _fill(self, fixed_ms: float,
              entries: 'OrderedDict[str, Dict[Any, float]]', space: Mapping,
              device: Dict[str, Any], input_shape: Sequence[int], repeat: int,
              warmup: int) -> 'LatencyTable':
        self.fixed_ms = float(fixed_ms)
        self._entries = entries
        self.space = space
        self.device = device
        self.input_shape = tuple(input_shape)
        self.repeat, self.warmup = repeat, warmup
        return self

    def bind(self, architecture, mutator) -> 'LatencyTable':
        """Check that the table was measured for ``mutator``'s space."""
        self.check_space(mutator)
        return self

    @classmethod
    def build(cls,
              architecture: nn.Module,
              mutator,
              input_shape: Sequence[int] = (1, 3, 224, 224),
              repeat: int = 20,
              warmup: int = 5,
              log: Optional[Callable[[str], None]] = None,
              rounds: int = 1,
              clock: str = 'wall') -> 'LatencyTable':
        """Time every candidate of the space on the supernet's device.
        With ``rounds`` > 1 all probes are timed that many times in turn and
        each time keeps its fastest round (on a shared machine, load from
        other processes only ever adds time). ``clock`` is ``wall`` or
        ``cpu`` (see :func:`clock_fn`)."""
        net = unwrap(architecture)
        device = dummy_input(net, (1, )).device
        clock_fn(clock, device)
        units = unit_names(mutator)
        modules = OrderedDict((n, net.get_submodule(n)) for _, n in units)
        entries = OrderedDict((k, {}) for k in mutator.search_groups)
        x = dummy_input(net, input_shape)
        with eval_no_grad(net):
            probes = [
                p for p, _, _ in probe_runs(mutator, modules,
                                            lambda: traceable(net)(x))
            ]
        timed = []  # per round, per probe: (unit ms, whole ms)
        for _ in range(rounds):
            timed.append([])
            for probe in track(probes, 'timing probe subnets'):
                with chosen(mutator, probe), eval_no_grad(net):
                    unit_ms = time_units(lambda: traceable(net)(x), modules,
                                         repeat, warmup, device, clock)
                whole = measure_subnet(net, mutator, probe, input_shape,
                                       repeat, warmup, clock)
                timed[-1].append((unit_ms, whole))
        fixed = []
        for i, (probe, per_round) in enumerate(zip(probes, zip(*timed))):
            unit_ms = {n: min(r[0][n] for r in per_round) for n in modules}
            whole = min(r[1] for r in per_round)
            for decision in entries:
                entries[decision][probe[decision]] = sum(unit_ms[n]
                                                         for d, n in units
                                                         if d == decision)
            fixed.append(whole - sum(unit_ms.values()))
            if log:
                log(f'probe {i}: whole {whole:.3f} ms, fixed part '
                    f'{fixed[-1]:.3f} ms')
        return cls()._fill(
            statistics.median(fixed), entries,
            json.loads(_space_text(mutator.search_space())),
            dict(device_description(device), clock=clock), input_shape, repeat,
            warmup)

    def check_space(self, mutator) -> None:
        """Raise LatencyTableError unless the table was measured for
        ``mutator``'s search space."""
        mine = _space_text(self.space)
        theirs = _space_text(mutator.search_space())
        if mine != theirs:
            raise LatencyTableError(
                'this latency table was measured for another search space '
                f'(decisions {list(self.space)[:3]}... vs '
                f'{list(mutator.search_space())[:3]}...). Rebuild it for '
                'this config with tools/analysis/build_latency_lut.py.')

    @property
    def fixed(self) -> Dict[str, float]:
        return dict(latency=self.fixed_ms)

    def candidate_cost(self, decision: str, choice: Any) -> Dict[str, float]:
        return dict(latency=self._candidate_ms(decision, choice))

    def _candidate_ms(self, decision: str, choice: Any) -> float:
        try:
            return self._entries[decision][choice]
        except KeyError:
            raise LatencyTableError(
                f'{decision!r}: {choice!r} is not in this latency table '
                f'(decisions {list(self._entries)}). Use choices of the '
                'space the table was measured for.') from None

    def cost(self, choices: Mapping[str, Any]) -> Dict[str, float]:
        """Predicted latency (ms) of the subnet ``choices``."""
        if set(choices) != set(self._entries):
            extra = sorted(set(choices) - set(self._entries))
            missing = sorted(set(self._entries) - set(choices))
            raise LatencyTableError(
                f'choices do not fit this latency table: unknown {extra}, '
                f'missing {missing}. Pass one choice per decision of the '
                'space the table was measured for.')
        return dict(latency=self.fixed_ms +
                    sum(self._candidate_ms(d, c) for d, c in choices.items()))

    def bounds(self) -> Dict[str, Tuple[float, float]]:
        return dict(
            latency=(self.fixed_ms +
                     sum(min(t.values())
                         for t in self._entries.values()), self.fixed_ms +
                     sum(max(t.values()) for t in self._entries.values())))

    def to_dict(self) -> dict:
        return dict(
            format=TABLE_FORMAT,
            device=self.device,
            input_shape=list(self.input_shape),
            repeat=self.repeat,
            warmup=self.warmup,
            fixed_ms=self.fixed_ms,
            space=self.space,
            entries=[
                dict(name=d, choices=list(t), ms=list(t.values()))
                for d, t in self._entries.items()
            ])

    def save(self, path: str) -> str:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        atomic_write(path, json.dumps(self.to_dict(), indent=1) + '\n')
        return path

    def _read(self, path: str) -> None:
        if not osp.isfile(path):
            raise LatencyTableError(
                f'latency table {path!r} does not exist; build it with '
                'tools/analysis/build_latency_lut.py CONFIG --out PATH.')
        try:
            with open(path) as f:
                data = json.load(f)
            if data.get('format') != TABLE_FORMAT:
                raise ValueError(f'format is {data.get("format")!r}')
            entries = OrderedDict(
                (e['name'], dict(zip(e['choices'], map(float, e['ms']))))
                for e in data['entries'])
            self._fill(data['fixed_ms'], entries, data['space'],
                       data['device'], data['input_shape'], data['repeat'],
                       data['warmup'])
        except (ValueError, KeyError, TypeError) as e:
            raise LatencyTableError(
                f'{path!r} is not an mmnas latency table ({e}); rebuild it '
                'with tools/analysis/build_latency_lut.py.') from None
