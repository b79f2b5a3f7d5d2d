"""The PONAS accuracy table (Progressive One-shot NAS, Huang & Chu, 2020):
its file (written layer by layer by ``PONASTableLoop``, read here) and the
deployment that answers any resource budget from it alone
(``tools/ponas_deploy.py``).

PONAS runs in three stages: meta-training (the ``SPOS`` algorithm on the
PONAS search space), fine-tuning + accuracy table (``PONASTableLoop``
scores every candidate of every layer, layer by layer), and deployment
(:class:`PONASDeployer`): for any budget, the architecture with the least
accuracy loss.

Deployment objective. For layer l and candidate c let
``loss(l, c) = acc(l, c) - max_c' acc(l, c')`` (<= 0, accuracy points). The
deployed network maximises ``sum_l loss(l, c_l)`` subject to
``fixed_k + sum_l cost_k(l, c_l) <= budget_k`` for every constrained cost k
(params, FLOPs, latency: all additive over layers). Scores are handled as
integers (1e-6 accuracy points) and params/FLOPs are integers, so the
search below is exact: a depth-first branch-and-bound whose bound is, for
every constrained cost separately, the best score the remaining layers can
reach within the remaining budget (a Pareto-front dynamic programme over
the layers). With one constraint the bound is exact and the search walks
straight to the optimum; with several it prunes with the tightest of them.
"""
import copy
import json
import math
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

from mmnas.utils import UserError

TABLE_FORMAT = 'mmnas-ponas-table'
TABLE_VERSION = 1
SCORE_SCALE = 10**6  # integer score units per accuracy point
# how constraint values may be written: flops=320M, params=5.0M, latency=12
UNIT_SUFFIX = {'': 1.0, 'K': 1e3, 'M': 1e6, 'G': 1e9}


class PONASTableError(UserError, ValueError):
    """A file that is not a complete PONAS accuracy table."""


class ConstraintError(UserError, ValueError):
    """A constraint that cannot be parsed or met."""


def new_table(space: Dict, estimator, score_key: str,
              settings: Dict[str, Any]) -> Dict:
    """An empty table of the search ``space`` (``mutator.search_space()``):
    every candidate's costs from a bound ``estimator``, no scores yet."""
    return dict(
        format=TABLE_FORMAT,
        version=TABLE_VERSION,
        complete=False,
        search_space=space,
        layers=list(space),
        score_key=score_key,
        scores={},
        decided={},
        costs=dict(
            input_shape=list(estimator.input_shape),
            fixed=dict(estimator.fixed),
            candidates={
                layer: {
                    c: dict(estimator.candidate_cost(layer, c))
                    for c in info['choices']
                }
                for layer, info in space.items()
            }),
        settings=settings)


def record_layer(table: Dict, layer: str, scores: Dict[str, float]) -> str:
    """Store the candidates' ``scores`` of ``layer``, decide it as its best
    candidate and return that."""
    best = max(scores, key=scores.get)
    table['scores'][layer] = scores
    table['decided'][layer] = best
    table['complete'] = len(table['scores']) == len(table['layers'])
    return best


def load_table(path: str) -> Dict:
    """Read and check a table written by ``PONASTableLoop``."""
    try:
        with open(path) as f:
            table = json.load(f)
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as e:
        raise PONASTableError(
            f'{path} is not a readable JSON file ({e}); pass the '
            'ponas_table.json written by the PONAS table config.')
    if not isinstance(table, dict) or table.get('format') != TABLE_FORMAT:
        raise PONASTableError(
            f'{path} is not a PONAS accuracy table (format '
            f'{TABLE_FORMAT!r}); pass the ponas_table.json written by the '
            'PONAS table config.')
    if table.get('version') != TABLE_VERSION:
        raise PONASTableError(
            f'{path} is a version-{table.get("version")} PONAS table; this '
            f'mmnas reads version {TABLE_VERSION}. Rebuild the table.')
    try:
        layers = table['layers']
        done = [layer for layer in layers if layer in table['scores']]
        costs = table['costs']['candidates']
        for layer in layers:
            for c in table['search_space'][layer]['choices']:
                costs[layer][c]
                if layer in table['scores']:
                    float(table['scores'][layer][c])
        table['costs']['fixed']
    except (KeyError, TypeError, ValueError) as e:
        raise PONASTableError(
            f'{path} is a damaged PONAS table (missing or bad entry {e}); '
            'rebuild it with the PONAS table config.')
    if len(done) < len(layers):
        raise PONASTableError(
            f'{path} is incomplete: {len(done)} of {len(layers)} layers '
            'scored. Finish it: rerun the table config with --resume and '
            'the same --work-dir.')
    return table


def add_costs(table: Dict, estimator) -> Dict:
    """The table with the per-candidate costs of another ``estimator`` of
    the same search space, e.g. a ``LatencyTable`` measured on the target
    device."""
    table = copy.deepcopy(table)
    try:
        table['costs']['fixed'].update(estimator.fixed)
        for layer, row in table['costs']['candidates'].items():
            for choice, cost in row.items():
                cost.update(estimator.candidate_cost(layer, choice))
    except (KeyError, ValueError) as e:
        raise ConstraintError(
            f'the estimator has no costs for this table ({e}): it was made '
            'for another search space. Build it for this space (a latency '
            'table: tools/analysis/build_latency_lut.py).') from None
    return table


def parse_constraints(specs: Sequence[str]) -> Dict[str, float]:
    """``['flops=320M', 'params=5.0M']`` (or comma-joined) -> budgets."""
    budgets = {}
    for spec in [s for item in specs for s in item.split(',') if s]:
        name, sep, value = spec.partition('=')
        value = value.strip()
        suffix = value[-1:].upper() if value[-1:].isalpha() else ''
        try:
            if not sep or suffix not in UNIT_SUFFIX:
                raise ValueError
            number = float(value[:len(value) - len(suffix)])
        except ValueError:
            raise ConstraintError(
                f'cannot read constraint {spec!r}: write NAME=VALUE with an '
                'optional K/M/G suffix, e.g. flops=320M or params=5.0M.')
        if not math.isfinite(number) or number < 0:
            raise ConstraintError(f'constraint {spec!r} must be a finite '
                                  'number >= 0.')
        budgets[name.strip()] = number * UNIT_SUFFIX[suffix]
    if not budgets:
        raise ConstraintError('give at least one constraint, e.g. '
                              '--constraint flops=320M')
    return budgets


def _pareto(cost: np.ndarray, score: np.ndarray):
    """Keep the points no other point beats (cost <= and score >=):
    sorted by cost, each with a strictly higher score than all cheaper."""
    order = np.lexsort((-score, cost))
    cost, score = cost[order], score[order]
    best_before = np.maximum.accumulate(score)
    keep = np.ones(len(score), bool)
    keep[1:] = score[1:] > best_before[:-1]
    return cost[keep], score[keep]


class PONASDeployer:
    """Exact table search for one table; reusable across constraints.

    Args:
        table (dict): A table from :func:`load_table`.
    """

    def __init__(self, table: Dict) -> None:
        self.layers: List[str] = list(table['layers'])
        self.choices = [
            list(table['search_space'][layer]['choices'])
            for layer in self.layers
        ]
        scores = table['scores']
        self.acc = [
            np.array([float(scores[layer][c]) for c in cs])
            for layer, cs in zip(self.layers, self.choices)
        ]
        # integer accuracy loss of each candidate w.r.t. its layer's best
        self.loss = [
            np.round((a - a.max()) * SCORE_SCALE).astype(np.int64)
            for a in self.acc
        ]
        cand = table['costs']['candidates']
        self.fixed = dict(table['costs']['fixed'])
        self.metrics = [
            m for m in self.fixed
            if all(m in cand[layer][c]
                   for layer, cs in zip(self.layers, self.choices) for c in cs)
        ]
        self.cost = {
            m: [
                np.array([cand[layer][c][m] for c in cs])
                for layer, cs in zip(self.layers, self.choices)
            ]
            for m in self.metrics
        }
        last = self.layers[-1]
        self.best_accuracy = float(scores[last][table['decided'][last]])
        self._fronts: Dict[Tuple[str, float], List] = {}

    def smallest(self, metric: str) -> float:
        """The smallest total ``metric`` any architecture of the table has."""
        return self.fixed[metric] + sum(c.min() for c in self.cost[metric])

    def _suffix_fronts(self, metric: str, budget: float) -> List:
        """For each layer l, the Pareto front (cost, best score) of layers
        l..L-1 with cost <= budget; front L is the empty choice."""
        key = (metric, budget)
        if key not in self._fronts:
            cost_dtype = self.cost[metric][0].dtype
            fronts = [None] * (len(self.layers) + 1)
            fronts[-1] = (np.zeros(1, cost_dtype), np.zeros(1, np.int64))
            for i in range(len(self.layers) - 1, -1, -1):
                fc, fs = fronts[i + 1]
                c = (self.cost[metric][i][:, None] + fc[None, :]).ravel()
                s = (self.loss[i][:, None] + fs[None, :]).ravel()
                ok = c <= budget
                fronts[i] = _pareto(c[ok], s[ok])
            self._fronts[key] = fronts
        return self._fronts[key]

    def deploy(self, budgets: Dict[str, float]) -> Dict:
        """The best architecture under ``budgets`` (metric -> max total).

        Returns dict(choices, score, expected_accuracy, cost). Raises
        ConstraintError naming the smallest achievable cost when no
        architecture fits.
        """
        unknown = [m for m in budgets if m not in self.metrics]
        if unknown:
            raise ConstraintError(
                f'this table has no {unknown} costs; it has '
                f'{self.metrics}. Constrain one of those (latency: pass a '
                'latency table of this space, ponas_deploy.py --latency-lut).')
        room = {m: budgets[m] - self.fixed[m] for m in budgets}
        too_small = {
            m: self.smallest(m)
            for m in budgets if self.smallest(m) > budgets[m]
        }
        if too_small:
            raise ConstraintError('no architecture meets ' + ', '.join(
                f'{m} <= {_fmt(budgets[m])} (the smallest achievable '
                f'is {_fmt(v)})' for m, v in too_small.items()) +
                                  '. Relax the constraint to at least that.')
        metrics = list(budgets)
        fronts = [self._suffix_fronts(m, room[m]) for m in metrics]
        costs = [self.cost[m] for m in metrics]
        num_layers = len(self.layers)
        best = dict(score=None, path=None)
        path = [0] * num_layers

        def bound(i, used, score):
            ub = None
            for k in range(len(metrics)):
                fc, fs = fronts[k][i]
                j = np.searchsorted(
                    fc, room[metrics[k]] - used[k], side='right') - 1
                if j < 0:
                    return None
                ub = fs[j] if ub is None else min(ub, fs[j])
            return score + int(ub)

        def search(i, used, score):
            if i == num_layers:
                if best['score'] is None or score > best['score']:
                    best['score'], best['path'] = score, list(path)
                return
            children = []
            for c in range(len(self.choices[i])):
                u = [used[k] + costs[k][i][c] for k in range(len(metrics))]
                s = score + int(self.loss[i][c])
                ub = bound(i + 1, u, s)
                if ub is not None:
                    children.append((ub, c, u, s))
            children.sort(key=lambda t: -t[0])
            for ub, c, u, s in children:
                if best['score'] is not None and ub <= best['score']:
                    break
                path[i] = c
                search(i + 1, u, s)

        search(0, [0] * len(metrics), 0)
        if best['path'] is None:
            raise ConstraintError(
                'no architecture meets all of ' +
                ', '.join(f'{m} <= {_fmt(budgets[m])}' for m in metrics) +
                ' together (each alone is achievable: smallest ' +
                ', '.join(f'{m} {_fmt(self.smallest(m))}'
                          for m in metrics) + '). Relax one of them.')
        return self.describe(
            [self.choices[i][c] for i, c in enumerate(best['path'])])

    def describe(self, chosen: Sequence[str]) -> Dict:
        """Score, expected accuracy and costs of one choice per layer."""
        idx = [cs.index(c) for cs, c in zip(self.choices, chosen)]
        score = sum(int(self.loss[i][c]) for i, c in enumerate(idx))
        cost = {
            m: _plain(self.fixed[m] + sum(self.cost[m][i][c]
                                          for i, c in enumerate(idx)))
            for m in self.metrics
        }
        return dict(
            choices=dict(zip(self.layers, chosen)),
            score=score / SCORE_SCALE,
            expected_accuracy=self.best_accuracy + score / SCORE_SCALE,
            cost=cost)


def _plain(v):
    return v.item() if hasattr(v, 'item') else v


def _fmt(v: float) -> str:
    for suffix, unit in (('G', 1e9), ('M', 1e6), ('K', 1e3)):
        if abs(v) >= unit:
            return f'{v / unit:.4g}{suffix} ({int(round(v))})'
    return f'{v:.6g}'
