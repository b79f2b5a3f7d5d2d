"""mmengine's CheckpointHook with a ``last_checkpoint`` pointer that a kill
cannot leave empty, and an auto-resume that gets past a damaged one."""
import builtins
import os.path as osp
from contextlib import contextmanager

import mmengine.hooks.checkpoint_hook as mmengine_checkpoint_hook
from mmengine.hooks import CheckpointHook

from mmnas.registry import HOOKS
from mmnas.utils import atomic_open
from mmnas.utils.checkpoint_io import (CheckpointError,
                                       newest_complete_checkpoint)

POINTER = 'last_checkpoint'


@contextmanager
def _pointer_written_atomically(pointer: str):
    """Within the block, mmengine's CheckpointHook opens ``pointer`` for
    writing through :func:`atomic_open` instead of the builtin ``open``
    (which truncates it in place before writing the new path)."""

    def open_(file, mode='r', *args, **kwargs):
        if 'w' in mode and osp.abspath(file) == osp.abspath(pointer):
            return atomic_open(file, mode)
        return builtins.open(file, mode, *args, **kwargs)

    mmengine_checkpoint_hook.open = open_
    try:
        yield
    finally:
        del mmengine_checkpoint_hook.open


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) whose ``last_checkpoint`` is
    written to a temporary file and renamed, as the checkpoints themselves
    are with the ``atomic_local`` backend.

    Auto-resume (``--resume`` without a path: ``resume=True``, no
    ``load_from``) continues from the checkpoint ``last_checkpoint`` names
    when that file exists. When the pointer is missing, empty or names no
    file (a kill while an older mmnas or mmengine rewrote it in place, or
    before it was first written), it continues from the newest complete
    checkpoint of the checkpoint dir (``epoch_N.pth`` / ``iter_N.pth``,
    highest N) and says so; a damaged pointer with no checkpoint to fall
    back to is a :class:`CheckpointError`.
    """

    def before_run(self, runner) -> None:
        if not runner._resume or runner._load_from is not None:
            return
        pointer = osp.join(runner.work_dir, POINTER)
        named = None
        if osp.isfile(pointer):
            with open(pointer) as f:
                named = f.read().strip()
            if named and osp.isfile(named):
                return
        ckpt_dir = self._checkpoint_dir(runner)
        newest = newest_complete_checkpoint(ckpt_dir, self.filename_tmpl)
        if newest is None:
            if named is None:
                return  # nothing to resume: mmengine starts from scratch
            raise CheckpointError(
                f'{pointer} names no checkpoint ({named!r}) and {ckpt_dir} '
                f'holds no complete {self.filename_tmpl.format("N")} to '
                f'resume from. Delete {pointer} to train from the start, or '
                'pass --resume <checkpoint>.')
        problem = 'is missing' if named is None else \
            'is empty' if not named else f'names a missing file {named!r}'
        runner.logger.warning(f'{pointer} {problem}; resuming from the '
                              f'newest complete checkpoint {newest}.')
        runner._load_from = newest

    def _checkpoint_dir(self, runner) -> str:
        """Where :meth:`before_train` will point ``out_dir``."""
        if self.out_dir is None or self.out_dir == runner.work_dir:
            return runner.work_dir
        return osp.join(self.out_dir,
                        osp.basename(runner.work_dir.rstrip(osp.sep)))

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        with _pointer_written_atomically(osp.join(runner.work_dir, POINTER)):
            super()._save_checkpoint_with_step(runner, step, meta)
