"""The estimator protocol: the cost of any subnet of one supernet.

An estimator is registered in ``TASK_UTILS`` and chosen in a config
(``estimator=dict(type='CostTable', input_shape=..., convention=...)``,
``dict(type='LatencyTable', table=...)``, or a list of such to estimate
several kinds of cost at once). It is built from its settings alone, then
bound to a supernet with :meth:`BaseEstimator.bind`. ``cost(choices)`` is
the exact cost of any subnet. FLOPs, params and latency are additive over
decisions (``cost(choices) = fixed + sum of candidate_cost(d, c)``);
BitOps are not (a layer's BitOps multiply its weight and input bits), so
``candidate_cost`` is only defined where a decision's cost does not depend
on other decisions, and raises otherwise. A new kind of cost is one new
registered subclass.
"""
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from mmnas.registry import TASK_UTILS
from mmnas.utils import UserError

Costs = Dict[str, float]


class BaseEstimator(metaclass=ABCMeta):
    """Costs of the subnets of one supernet, by metric name.

    ``units`` maps each metric to the scale constraints are written in
    (e.g. ``flops: 1e6`` for MFLOPs); ``input_shape`` is the input the
    costs are for.
    """
    units: Dict[str, float] = {}
    input_shape: Tuple[int, ...] = ()

    @abstractmethod
    def bind(self, architecture, mutator) -> 'BaseEstimator':
        """Prepare the estimates for ``architecture``'s search space (as
        ``mutator`` describes it) and return self."""

    @property
    @abstractmethod
    def fixed(self) -> Costs:
        """The cost of what no decision changes."""

    @abstractmethod
    def candidate_cost(self, decision: str, choice: Any) -> Costs:
        """The cost ``choice`` of ``decision`` adds, where that does not
        depend on other decisions (else a ``CostTableError``)."""

    @abstractmethod
    def cost(self, choices: Mapping[str, Any]) -> Costs:
        """The cost of the subnet ``choices`` (one entry per decision)."""

    @abstractmethod
    def bounds(self) -> Dict[str, Tuple[float, float]]:
        """``{metric: (min, max)}`` over the space."""

    def in_units(self, costs: Mapping[str, float]) -> Dict[str, float]:
        """``costs`` in the units constraints are written in."""
        return {k: v / self.units.get(k, 1.) for k, v in costs.items()}


@TASK_UTILS.register_module()
class Estimators(BaseEstimator):
    """Several estimators as one: their metrics side by side.

    Args:
        estimators (list): Estimators or their configs.
    """

    def __init__(self, estimators: Sequence[Union[dict,
                                                  BaseEstimator]]) -> None:
        self.estimators: List[BaseEstimator] = [
            build_estimator(e) for e in estimators
        ]
        self.units = {}
        for e in self.estimators:
            shared = set(self.units) & set(e.units)
            if shared:
                raise ValueError(f'two estimators give {sorted(shared)}')
            self.units.update(e.units)
        self.input_shape = self.estimators[0].input_shape

    def bind(self, architecture, mutator) -> 'Estimators':
        for e in self.estimators:
            e.bind(architecture, mutator)
        return self

    def _merged(self, each) -> dict:
        out = {}
        for e in self.estimators:
            out.update(each(e))
        return out

    @property
    def fixed(self) -> Costs:
        return self._merged(lambda e: e.fixed)

    def candidate_cost(self, decision: str, choice: Any) -> Costs:
        return self._merged(lambda e: e.candidate_cost(decision, choice))

    def cost(self, choices: Mapping[str, Any]) -> Costs:
        return self._merged(lambda e: e.cost(choices))

    def bounds(self) -> Dict[str, Tuple[float, float]]:
        return self._merged(lambda e: e.bounds())


def refuse_cost_settings(owner: str, settings: Mapping[str, Any]) -> None:
    """Raise a :class:`UserError` for cost settings given to ``owner``
    (e.g. ``input_shape``, ``convention``, a latency table file) that
    belong to its ``estimator``."""
    if settings:
        raise UserError(
            f'{owner}: {sorted(settings)} are estimator settings: give '
            "estimator=dict(type='CostTable', input_shape=..., convention="
            "...) or dict(type='LatencyTable', table=<file of tools/analysis/"
            'build_latency_lut.py>) (a list for both) in the config.')


Range = Mapping[str, Tuple[Optional[float], Optional[float]]]


def check_constraint_names(constraints_range: Range, estimator: BaseEstimator,
                           where: str) -> None:
    """Refuse a constraint the estimator does not give."""
    unknown = set(constraints_range) - set(estimator.units)
    if unknown:
        raise UserError(
            f'constraints_range: unknown constraint(s) {sorted(unknown)}'
            f'; the estimator gives {sorted(estimator.units)}. Fix {where}; '
            "a latency constraint needs dict(type='LatencyTable', table="
            '<file of tools/analysis/build_latency_lut.py>) among the '
            'estimators.')


def meets(costs: Mapping[str, float], constraints_range: Range) -> bool:
    """Whether ``costs`` (in the constraints' units) lie within every
    ``(low, high)`` of ``constraints_range``; None leaves a side open."""
    for name, (low, high) in constraints_range.items():
        if low is not None and costs[name] < low:
            return False
        if high is not None and costs[name] > high:
            return False
    return True


def no_subnet_error(estimator: BaseEstimator, constraints_range: Range,
                    trials: Optional[int], where: str) -> UserError:
    """The error for constraints no random subnet met in ``trials`` draws
    (None: the range lies outside the space), with the cost range the
    space actually covers."""
    units = estimator.units
    span = ', '.join(f'{k} {low / units[k]:.3f}..{high / units[k]:.3f}'
                     for k, (low, high) in estimator.bounds().items())
    why = 'it lies outside the space' if trials is None else \
        f'found none in {trials} random samples'
    return UserError(
        f'no subnet satisfies constraints_range={dict(constraints_range)} '
        f'({why}). This search space spans {span} (FLOPs and params in '
        f'millions, BitOps in G, latency in ms). Widen the constraints in '
        f'{where}.')


def build_estimator(cfg: Union[dict, list, BaseEstimator]) -> BaseEstimator:
    """An estimator from its config (a list: :class:`Estimators`), or the
    estimator itself."""
    if isinstance(cfg, BaseEstimator):
        return cfg
    if isinstance(cfg, (list, tuple)):
        return Estimators(cfg)
    return TASK_UTILS.build(cfg)
