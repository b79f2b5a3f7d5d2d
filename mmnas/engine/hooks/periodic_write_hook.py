"""The schedule of hooks that write what a search currently derives."""
from typing import Optional

import torch.nn as nn
from mmengine.hooks import Hook

from mmnas.engine.utils import runner_model


class PeriodicWriteHook(Hook):
    """Calls :meth:`write` on rank 0 every ``interval`` epochs and at the
    end of training. Subclasses say what is written.

    Args:
        interval (int): Epochs between writes; 0 writes only at the end.
        out_dir (str, optional): Where to write; defaults to the work dir.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 1,
                 out_dir: Optional[str] = None) -> None:
        self.interval = interval
        self.out_dir = out_dir

    def write(self, runner, model: nn.Module, out_dir: str,
              epoch: Optional[int]) -> None:
        """Write to ``out_dir``; ``epoch`` is the number of epochs done, or
        None at the end of training."""
        raise NotImplementedError

    def _write(self, runner, epoch: Optional[int]) -> None:
        if runner.rank == 0:
            self.write(runner, runner_model(runner), self.out_dir
                       or runner.work_dir, epoch)

    def after_train_epoch(self, runner) -> None:
        if self.interval > 0 and self.every_n_epochs(runner, self.interval):
            self._write(runner, runner.epoch + 1)

    def after_train(self, runner) -> None:
        self._write(runner, None)
