"""Epoch-based training with a second dataloader for architecture steps."""
from typing import Dict, Union

from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

from mmnas.registry import LOOPS
from mmnas.utils import UserError
from .resume_state import EndlessBatches


@LOOPS.register_module()
class AlternateEpochBasedTrainLoop(EpochBasedTrainLoop):
    """From epoch ``arch_begin`` on, each iteration hands the model
    ``dict(weight=<train batch>, arch=<arch batch>)`` (the arch loader is
    cycled as needed, continuing across epochs, reshuffled every pass);
    before it, the train batch
    alone (warm-up). Which optimizer uses which batch is the model's
    business (e.g. :class:`DenseNAS`), so the loop drives any such
    algorithm.

    The arch loader's position follows from the epoch: a run resumed at an
    epoch boundary continues it where the uninterrupted run had it, so both
    pair the same batches.

    Args:
        arch_dataloader (DataLoader | dict): Data for architecture steps,
            usually the other part of a ``SplitDataset``.
        arch_begin (int): First epoch (0-based) with architecture steps.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 arch_dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 arch_begin: int = 0,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals=None) -> None:
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        if not 0 <= arch_begin <= max_epochs:
            raise UserError(f'arch_begin must be in [0, max_epochs='
                            f'{max_epochs}], got {arch_begin}. Fix '
                            'train_cfg.arch_begin.')
        self.arch_begin = arch_begin
        self.arch_dataloader = arch_dataloader
        if isinstance(arch_dataloader, dict):
            self.arch_dataloader = runner.build_dataloader(
                arch_dataloader, seed=runner.seed)
        self._arch_batches: Union[EndlessBatches, None] = None

    def _next_arch_batch(self):
        if self._arch_batches is None:
            drawn = max(0, self._epoch - self.arch_begin) * \
                len(self.dataloader)
            self._arch_batches = EndlessBatches(self.arch_dataloader, drawn)
        return next(self._arch_batches)

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        arch = self._epoch >= self.arch_begin
        for idx, data_batch in enumerate(self.dataloader):
            if arch:
                data_batch = dict(
                    weight=data_batch, arch=self._next_arch_batch())
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
