"""Checkpoint files on local disk as mmnas runs use them.

Writing: :class:`AtomicLocalBackend`, registered as the ``atomic_local`` file
backend and chosen by the CheckpointHook's ``backend_args`` in
``configs/_base_/default_runtime.py``, writes every checkpoint to a
temporary file and renames it, so a kill or a full disk never leaves a
half-written ``epoch_N.pth``. The ``last_checkpoint`` pointer is written the
same way by ``AtomicCheckpointHook``.

Reading: :func:`check_checkpoint` turns a truncated or corrupt local file
into one :class:`CheckpointError` instead of a torch traceback;
``AtomicCheckpointHook`` calls it before the runner loads, and
:func:`load_checkpoint_file` wherever mmnas reads a checkpoint itself.
mmengine's own loaders are left as they are.
"""
import datetime
import os
import os.path as osp
import re
import zipfile
from typing import Optional

import numpy as np
import torch
from mmengine.fileio import LocalBackend, register_backend
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import mkdir_or_exist

from .errors import UserError
from .io import atomic_write

# the first bytes of a checkpoint in torch's pre-1.6 (non-zip) format:
# pickle protocol 2 and torch's magic number
LEGACY_MAGIC = b'\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19'


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
        mkdir_or_exist(osp.dirname(osp.abspath(str(filepath))))


register_backend('atomic_local', AtomicLocalBackend)


def check_checkpoint(filename: str) -> None:
    """Raise :class:`CheckpointError` if ``filename``, a local file, is not
    a complete torch checkpoint (a zip archive whose members all read back
    with their checksums, or the legacy format). Other paths (URLs,
    ``open-mmlab://``) are left to mmengine."""
    if not osp.isfile(filename):
        return
    problem = None
    if zipfile.is_zipfile(filename):
        try:
            with zipfile.ZipFile(filename) as archive:
                bad = archive.testzip()
            if bad is not None:
                problem = f'member {bad!r} fails its checksum'
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            problem = f'{type(e).__name__}: {e}'
    else:
        with open(filename, 'rb') as f:
            if f.read(len(LEGACY_MAGIC)) != LEGACY_MAGIC:
                problem = 'not a torch zip archive'
    if problem:
        raise CheckpointError(
            f'checkpoint {filename!r} ({osp.getsize(filename)} bytes) cannot '
            f'be read, it is truncated or corrupt ({problem}). Use another '
            'checkpoint (e.g. the previous epoch_N.pth in the work dir; point '
            'last_checkpoint at it for --resume).')


def load_checkpoint_file(filename: str, map_location='cpu') -> dict:
    """A checkpoint's contents through mmengine's ``CheckpointLoader``,
    after :func:`check_checkpoint`."""
    check_checkpoint(filename)
    return CheckpointLoader.load_checkpoint(filename, map_location)


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


def allow_mmengine_checkpoint_globals() -> None:
    """Allow-list the (harmless) classes mmengine pickles into checkpoints
    (message hub history buffers, numpy scalars/arrays), so resuming works
    with ``weights_only=True`` loading. The check itself stays on."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is None:  # torch < 2.4 loads without weights_only by default
        return
    from mmengine.logging import HistoryBuffer

    # HistoryBuffer pickles its statistics as getattr(HistoryBuffer, 'min');
    # the weights-only unpickler still refuses to *call* anything that is
    # not allow-listed, so getattr can only look attributes up.
    safe = [HistoryBuffer, getattr, np.ndarray, np.dtype, datetime.datetime]
    try:
        safe.append(np._core.multiarray._reconstruct)
        safe.append(np._core.multiarray.scalar)
    except AttributeError:  # numpy 1.x
        safe.append(np.core.multiarray._reconstruct)
        safe.append(np.core.multiarray.scalar)
    safe += [
        type(np.dtype(t)) for t in (np.float64, np.float32, np.int64, np.int32,
                                    np.bool_, np.uint8)
    ]
    add(safe)
