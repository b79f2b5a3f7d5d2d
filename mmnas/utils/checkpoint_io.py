"""Checkpoint files on local disk as mmnas runs use them.

Writing: the ``atomic_local`` file backend (set as the CheckpointHook's
``backend_args`` in ``configs/_base_/default_runtime.py``) writes every
checkpoint to a temporary file and renames it, so a kill or a full disk
never leaves a half-written ``epoch_N.pth``; mmengine's ``LocalBackend``
opens the final path directly. The ``last_checkpoint`` pointer is written
the same way by ``AtomicCheckpointHook``.

Reading: local checkpoints load through mmengine's ``CheckpointLoader`` as
before, but a truncated or corrupt file is reported as a :class:`UserError`
instead of a torch traceback. Both are registered on import.
"""
import os
import os.path as osp
import pickle
import re
import zipfile
from typing import Optional

from mmengine.fileio import LocalBackend, register_backend
from mmengine.runner.checkpoint import CheckpointLoader, load_from_local

from .errors import UserError
from .io import atomic_write


class CheckpointError(UserError):
    """A checkpoint that cannot be used (corrupt, truncated, other model)."""


class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose writes are temp-then-rename."""

    def put(self, obj: bytes, filepath) -> None:
        self.makedirs(filepath)
        atomic_write(str(filepath), obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        self.makedirs(filepath)
        atomic_write(str(filepath), obj.encode(encoding))

    @staticmethod
    def makedirs(filepath) -> None:
        import mmengine
        mmengine.mkdir_or_exist(osp.dirname(osp.abspath(str(filepath))))


register_backend('atomic_local', AtomicLocalBackend, force=True)


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_local_checkpoint(filename, map_location):
    """mmengine's local loader, with unreadable files as one clear error."""
    try:
        return load_from_local(filename, map_location)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile,
            ValueError) as e:
        first = (str(e).strip().splitlines() or [''])[0].split('. ')[0]
        size = osp.getsize(filename) if osp.isfile(filename) else 0
        raise CheckpointError(
            f'checkpoint {filename!r} ({size} bytes) cannot be read, it is '
            f'truncated or corrupt ({type(e).__name__}: {first}). '
            'Use another checkpoint (e.g. the previous epoch_N.pth in the '
            'work dir; point last_checkpoint at it for --resume).')


def newest_complete_checkpoint(directory: str,
                               filename_tmpl: str = 'epoch_{}.pth'
                               ) -> Optional[str]:
    """The file of ``directory`` named by ``filename_tmpl`` with the highest
    number that is a complete torch zip archive (its central directory,
    written last, is there); None if there is none."""
    if not osp.isdir(directory):
        return None
    pattern = re.compile(re.escape(filename_tmpl).replace(r'\{\}', r'(\d+)'))
    numbered = []
    for name in os.listdir(directory):
        match = pattern.fullmatch(name)
        if match:
            numbered.append((int(match.group(1)), name))
    for _, name in sorted(numbered, reverse=True):
        path = osp.join(directory, name)
        if osp.isfile(path) and zipfile.is_zipfile(path):
            return path
    return None
