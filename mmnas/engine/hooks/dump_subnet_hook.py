"""Writes the subnet a differentiable search currently derives."""
import os.path as osp

from mmnas.registry import HOOKS
from mmnas.structures import dump_subnet
from .periodic_write_hook import PeriodicWriteHook


@HOOKS.register_module()
class DumpSubnetHook(PeriodicWriteHook):
    """Every ``interval`` epochs write ``subnet_epoch_<n>.yaml`` and at the
    end of training ``subnet_final.yaml`` to the work dir: each
    differentiable decision at its argmax (others at their current choice),
    in the common subnet format that ``SubnetModel`` and the tools read.

    Args:
        interval (int): Epochs between dumps; 0 dumps only at the end.
        out_dir (str, optional): Where to write; defaults to the work dir.
    """

    def write(self, runner, model, out_dir, epoch) -> None:
        name = 'subnet_final.yaml' if epoch is None \
            else f'subnet_epoch_{epoch}.yaml'
        path = osp.join(out_dir, name)
        dump_subnet(model.mutator.argmax_choices(), path)
        runner.logger.info(f'subnet written to {path}')
