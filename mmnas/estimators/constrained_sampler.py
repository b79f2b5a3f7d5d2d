"""SPOS' uniform constraint sampling: a path sampler (see
``mmnas/models/mutators/path_samplers.py``) that trains only subnets whose
cost lies in a range, counted by an estimator."""
import random
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple, Union

from mmnas.registry import TASK_UTILS
from mmnas.utils import UserError
from .base import (build_estimator, check_constraint_names, meets,
                   no_subnet_error)


@TASK_UTILS.register_module()
class ConstrainedUniformSampler:
    """SPOS' uniform constraint sampling (Guo et al., 2020): train only
    paths that meet the search's constraint, so the supernet learns the
    part of the space the search ranks. As in the official code, each step
    picks one of ``bins`` equal cost bins of the first constraint's range
    uniformly, then draws uniform random paths until one falls in it (the
    whole range if the bin stays empty for ``max_trials`` draws), so
    cheap and dear paths in the range are trained alike even where the
    space holds far more of one.

    Args:
        constraints_range (dict): ``metric -> (low, high)`` in the search
            loop's units (MFLOPs, GBitOps, ...); usually the search's own.
        estimator (dict | list): Cost estimator config(s), as the search
            loop's ``estimator``.
        bins (int): Cost bins of the first constraint.
        max_trials (int): Random draws per bin before giving up on it.
    """

    def __init__(self,
                 constraints_range: Dict[str, Tuple],
                 estimator: Union[Dict, List] = dict(type='CostTable'),
                 bins: int = 1,
                 max_trials: int = 500) -> None:
        self.constraints_range = OrderedDict(constraints_range)
        if not self.constraints_range or not isinstance(bins, int) or \
                bins < 1:
            raise UserError(
                'ConstrainedUniformSampler needs constraints_range (e.g. '
                'dict(flops=(290, 360))) and bins >= 1; got '
                f'{dict(constraints_range)} and bins={bins!r}. Fix '
                'model.sampler in the config.')
        self.estimator = build_estimator(estimator)
        check_constraint_names(self.constraints_range, self.estimator,
                               'model.sampler')
        self.bins = bins
        self.max_trials = max_trials
        self._edges: List[Tuple[float, float]] = []

    def bind(self, architecture, mutator) -> None:
        self.estimator.bind(architecture, mutator)
        metric, (low, high) = next(iter(self.constraints_range.items()))
        lo, hi = (
            v / self.estimator.units.get(metric, 1.)
            for v in self.estimator.bounds()[metric])
        low = lo if low is None else max(low, lo)
        high = hi if high is None else min(high, hi)
        if low > high:
            raise no_subnet_error(self.estimator, self.constraints_range, None,
                                  'model.sampler')
        step = (high - low) / self.bins
        self._edges = [(low + i * step, low + (i + 1) * step)
                       for i in range(self.bins)]

    def _draw(self, mutator, rng, constraints) -> Optional[Dict]:
        for _ in range(self.max_trials):
            choices = mutator.sample_choices(rng)
            cost = self.estimator.in_units(self.estimator.cost(choices))
            if meets(cost, constraints):
                return choices
        return None

    def sample(self, mutator, rng: Optional[random.Random] = None) -> Dict:
        if not self._edges:
            raise RuntimeError('ConstrainedUniformSampler.sample before bind')
        rng = rng or random
        metric = next(iter(self.constraints_range))
        found = self._draw(
            mutator, rng,
            dict(self.constraints_range, **{metric: rng.choice(self._edges)}))
        if found is None:
            found = self._draw(mutator, rng, self.constraints_range)
        if found is None:
            raise no_subnet_error(self.estimator, self.constraints_range,
                                  2 * self.max_trials, 'model.sampler')
        return found
