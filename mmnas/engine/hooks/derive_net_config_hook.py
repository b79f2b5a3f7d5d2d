"""Writes the architecture a DenseNAS search currently derives."""
import os
import os.path as osp

from mmnas.models.algorithms import DenseNAS
from mmnas.registry import HOOKS
from mmnas.structures import dump_subnet
from mmnas.utils import atomic_write
from .periodic_write_hook import PeriodicWriteHook


@HOOKS.register_module()
class DeriveNetConfigHook(PeriodicWriteHook):
    """Every ``interval`` epochs and at the end of training, ask the
    :class:`DenseNAS` model for its derived architecture and its cost, log
    them and write
    ``net_config.txt`` (for ``DenseNASNet(net_config=<file>)``) and
    ``subnet.yaml`` to the work dir, atomically.

    Args:
        interval (int): Epochs between writes; 0 writes only at the end.
        out_dir (str, optional): Where to write; defaults to the work dir.
    """

    def write(self, runner, model, out_dir, epoch) -> None:
        choices, net_config = model.derive()
        os.makedirs(out_dir, exist_ok=True)
        atomic_write(osp.join(out_dir, 'net_config.txt'), net_config + '\n')
        dump_subnet(choices, osp.join(out_dir, 'subnet.yaml'))
        cost = ''
        if isinstance(model, DenseNAS):
            cost = f' ({model.cost_cfg["metric"]}: ' \
                f'{float(model.cost_of(choices)):.6g})'
        runner.logger.info(f'derived net_config written to {out_dir}'
                           f'{cost}:\n{net_config}')
