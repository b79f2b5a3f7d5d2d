"""How a single-path supernet picks the path of each training step.

A sampler is chosen in the algorithm's config (``sampler=dict(type=...)``)
and only asks the mutator for its decisions and their choices; one that
needs the supernet itself (to count costs) has ``bind(architecture,
mutator)``, which the algorithm calls once when it is built
(``ConstrainedUniformSampler``, beside the estimators it counts with).
"""
import random
from collections import OrderedDict
from typing import Any, Dict, List, Optional

from mmnas.registry import TASK_UTILS
from mmnas.utils.errors import UserError


@TASK_UTILS.register_module()
class UniformSampler:
    """SPOS: every decision drawn uniformly at random, independently at
    every step."""

    def sample(self, mutator, rng: Optional[random.Random] = None) -> Dict:
        return mutator.sample_choices(rng)


@TASK_UTILS.register_module()
class StrictFairSampler:
    """FairNAS' strict fairness (Chu et al., 2021): steps come in cycles of
    ``m`` (the number of choices of every decision); within a cycle each
    decision takes each of its choices exactly once, in an order drawn
    afresh (and independently per decision) for every cycle. So after any
    whole number of cycles every candidate has been trained equally often.

    All decisions must offer the same number of choices.
    """

    def __init__(self) -> None:
        self._cycle: List[Dict[str, Any]] = []

    @staticmethod
    def cycle_length(mutator) -> int:
        sizes = {
            key: len(mutator.choices_of(key))
            for key in mutator.search_groups
        }
        if len(set(sizes.values())) != 1:
            found = sorted(set(sizes.values()))
            examples = ', '.join(f'{k}: {n}'
                                 for k, n in list(sizes.items())[:3])
            raise UserError(
                'StrictFairSampler needs every decision to offer the same '
                f'number of choices; this space has {found} (e.g. '
                f"{examples}). Use sampler=dict(type='UniformSampler') for "
                'it.')
        return next(iter(sizes.values()))

    def sample(self, mutator, rng: Optional[random.Random] = None) -> Dict:
        if not self._cycle:
            rng = rng or random
            m = self.cycle_length(mutator)
            orders = OrderedDict()
            for key in mutator.search_groups:
                order = list(mutator.choices_of(key))
                rng.shuffle(order)
                orders[key] = order
            self._cycle = [
                OrderedDict((key, order[i]) for key, order in orders.items())
                for i in range(m)
            ]
        return self._cycle.pop(0)
