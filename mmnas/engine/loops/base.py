"""What a loop that searches from the train slot of a runner shares."""
import torch.nn as nn
from mmengine.runner import BaseLoop

from mmnas.engine.utils import runner_model


class BaseSearchLoop(BaseLoop):
    """A loop run by ``runner.train()`` that searches instead of training.

    It keeps the counters mmengine's hooks read from a train loop (``epoch``,
    ``iter``; subclasses define ``max_epochs`` / ``max_iters``) and gives the
    algorithm without its DDP wrapper as ``model``.
    """

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
