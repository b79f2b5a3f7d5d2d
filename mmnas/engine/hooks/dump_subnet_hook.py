"""Writes the subnet a differentiable search currently derives."""
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook

from mmnas.engine.utils import runner_model
from mmnas.models.mutables import argmax_choices
from mmnas.registry import HOOKS
from mmnas.structures import dump_subnet


@HOOKS.register_module()
class DumpSubnetHook(Hook):
    """Every ``interval`` epochs write ``subnet_epoch_<n>.yaml`` and at the
    end of training ``subnet_final.yaml`` to the work dir: each
    differentiable decision at its argmax (others at their current choice),
    in the common subnet format that ``SubnetModel`` and the tools read.

    Args:
        interval (int): Epochs between dumps; 0 dumps only at the end.
        out_dir (str, optional): Where to write; defaults to the work dir.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 1,
                 out_dir: Optional[str] = None) -> None:
        self.interval = interval
        self.out_dir = out_dir

    def _dump(self, runner, name: str) -> None:
        if runner.rank != 0:
            return
        model = runner_model(runner)
        path = osp.join(self.out_dir or runner.work_dir, name)
        dump_subnet(argmax_choices(model.mutator), path)
        runner.logger.info(f'subnet written to {path}')

    def after_train_epoch(self, runner) -> None:
        if self.interval > 0 and self.every_n_epochs(runner, self.interval):
            self._dump(runner, f'subnet_epoch_{runner.epoch + 1}.yaml')

    def after_train(self, runner) -> None:
        self._dump(runner, 'subnet_final.yaml')
