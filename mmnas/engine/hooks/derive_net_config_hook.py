"""Writes the architecture a DenseNAS search currently derives."""
import os
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook

from mmnas.engine.utils import runner_model
from mmnas.registry import HOOKS
from mmnas.structures import dump_subnet
from mmnas.utils import atomic_write


@HOOKS.register_module()
class DeriveNetConfigHook(Hook):
    """Every ``interval`` epochs and at the end of training, ask the model
    (anything with ``derive() -> (subnet choices, net_config)``, e.g.
    :class:`DenseNAS`) for its derived architecture, log it and write
    ``net_config.txt`` (for ``DenseNASNet(net_config=<file>)``) and
    ``subnet.yaml`` to the work dir, atomically.

    Args:
        interval (int): Epochs between writes; 0 writes only at the end.
        out_dir (str, optional): Where to write; defaults to the work dir.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 1,
                 out_dir: Optional[str] = None) -> None:
        self.interval = interval
        self.out_dir = out_dir

    def _write(self, runner) -> None:
        if runner.rank != 0:
            return
        model = runner_model(runner)
        choices, net_config = model.derive()
        out_dir = self.out_dir or runner.work_dir
        os.makedirs(out_dir, exist_ok=True)
        atomic_write(osp.join(out_dir, 'net_config.txt'), net_config + '\n')
        dump_subnet(choices, osp.join(out_dir, 'subnet.yaml'))
        cost = ''
        if hasattr(model, 'cost_of'):
            cost = f' ({model.cost_cfg["metric"]}: ' \
                f'{float(model.cost_of(choices)):.6g})'
        runner.logger.info(f'derived net_config written to {out_dir}'
                           f'{cost}:\n{net_config}')

    def after_train_epoch(self, runner) -> None:
        if self.interval > 0 and self.every_n_epochs(runner, self.interval):
            self._write(runner)

    def after_train(self, runner) -> None:
        self._write(runner)
