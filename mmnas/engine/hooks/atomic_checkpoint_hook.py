"""mmengine's CheckpointHook with a ``last_checkpoint`` pointer that a kill
cannot leave empty, an auto-resume that gets past a damaged one, and a
clear error for a checkpoint that cannot be read."""
import os
import os.path as osp
import tempfile

from mmengine.hooks import CheckpointHook
from mmengine.runner.checkpoint import find_latest_checkpoint

from mmnas.engine.utils import load_from, resume_requested, set_load_from
from mmnas.registry import HOOKS
from mmnas.utils.checkpoint_io import (CheckpointError, check_checkpoint,
                                       newest_complete_checkpoint)

POINTER = 'last_checkpoint'


class _StagedWorkDir:
    """The runner, with ``work_dir`` pointing to a staging folder."""

    def __init__(self, runner, work_dir: str) -> None:
        self._runner = runner
        self.work_dir = work_dir

    def __getattr__(self, name):
        return getattr(self._runner, name)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) whose ``last_checkpoint`` is
    written to a temporary file and renamed, as the checkpoints themselves
    are with the ``atomic_local`` backend.

    Before the runner loads a checkpoint (``load_from`` or ``--resume``),
    a truncated or corrupt one is reported as a :class:`CheckpointError`.
    Auto-resume (``--resume`` without a path) continues from the checkpoint
    ``last_checkpoint`` names when that file exists. When the pointer is
    missing, empty or names no file (a kill while an older mmnas or
    mmengine rewrote it in place, or before it was first written), it
    continues from the newest complete checkpoint of the checkpoint dir
    (``epoch_N.pth`` / ``iter_N.pth``, highest N) and says so; a damaged
    pointer with no checkpoint to fall back to is a CheckpointError.
    """

    def before_run(self, runner) -> None:
        if resume_requested(runner) and load_from(runner) is None:
            self._find_resume_checkpoint(runner)
        path = load_from(runner)
        if path is None and resume_requested(runner):
            path = find_latest_checkpoint(runner.work_dir)
        if path:
            check_checkpoint(path)

    def _find_resume_checkpoint(self, runner) -> None:
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
        set_load_from(runner, newest)

    def _checkpoint_dir(self, runner) -> str:
        """Where :meth:`before_train` will point ``out_dir``."""
        if self.out_dir is None or self.out_dir == runner.work_dir:
            return runner.work_dir
        return osp.join(self.out_dir,
                        osp.basename(runner.work_dir.rstrip(osp.sep)))

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        # mmengine 0.10.7 writes ``<work_dir>/last_checkpoint`` in place at
        # the end of this private method, with no public option to change
        # that; it writes into a staging folder instead, and the pointer is
        # renamed into the work dir (one atomic step).
        with tempfile.TemporaryDirectory(
                prefix='.last_checkpoint.', dir=runner.work_dir) as staging:
            super()._save_checkpoint_with_step(
                _StagedWorkDir(runner, staging), step, meta)
            written = osp.join(staging, POINTER)
            if osp.isfile(written):
                os.replace(written, osp.join(runner.work_dir, POINTER))
