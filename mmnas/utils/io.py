"""Writes that never leave a finished file half-written."""
import errno
import os
import os.path as osp
import shutil
import tempfile
from contextlib import contextmanager
from typing import Union


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_open(path: str, mode: str = 'w'):
    """Open a temporary file beside ``path``; rename it over ``path`` only
    when the block finishes without error."""
    d = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(
        dir=d, prefix=osp.basename(path) + '.', suffix='.tmp')
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 -> as open() does
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if isinstance(e, OSError) and e.filename is None:
            e.filename = path  # name the file in the user's message
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write(path: str, data: Union[str, bytes]) -> None:
    with atomic_open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)


@contextmanager
def atomic_dir(path: str):
    """Yield a temporary directory beside ``path`` and rename it to ``path``
    only when the block finishes without error, so a directory of several
    files (e.g. databases with their lists) appears complete or not at all.
    ``path`` must not exist yet."""
    path = osp.abspath(path)
    parent = osp.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(
        dir=parent, prefix='.' + osp.basename(path) + '.', suffix='.tmp')
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 -> as mkdir does
        yield tmp
        if osp.lexists(path):
            raise FileExistsError(errno.EEXIST, 'already exists', path)
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
