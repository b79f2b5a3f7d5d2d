"""What a loop that searches from the train slot of a runner shares."""
from typing import Dict

import torch.nn as nn
from mmengine.runner import BaseLoop

from mmnas.engine.utils import runner_model
from mmnas.utils import UserError


class BaseSearchLoop(BaseLoop):
    """A loop run by ``runner.train()`` that searches instead of training.

    It keeps the counters mmengine's hooks read from a train loop (``epoch``,
    ``iter``; subclasses define ``max_epochs`` / ``max_iters``) and gives the
    algorithm without its DDP wrapper as ``model``. Subclasses rank
    candidates by the metric named ``score_key``.
    """

    score_key: str

    def __init__(self, runner, dataloader) -> None:
        super().__init__(runner, dataloader)
        self._epoch = 0
        self._iter = 0

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def iter(self) -> int:
        return self._iter

    @property
    def model(self) -> nn.Module:
        return runner_model(self.runner)

    def score_of(self, metrics: Dict[str, float]) -> float:
        """The ``score_key`` entry of an evaluator's ``metrics``."""
        if self.score_key not in metrics:
            raise UserError(f'score_key {self.score_key!r} is not among the '
                            f'metrics {sorted(metrics)}; set '
                            'train_cfg.score_key to one of them.')
        return float(metrics[self.score_key])
