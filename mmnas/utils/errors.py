"""Errors caused by what the user gave (config, subnet, constraint, file),
reported by the tools as one message without a traceback."""
import errno
import gc
import sys
from difflib import get_close_matches
from functools import wraps

from .global_state import tool_run

# errors of writing the work dir, and what to do about them
_WRITE_ERRNOS = {
    errno.ENOSPC:
    'The disk is full: free space or pass a --work-dir on '
    'another disk.',
    errno.EDQUOT:
    'The disk quota is used up: free space or pass a '
    '--work-dir on another disk.',
    errno.EACCES:
    'Pass a --work-dir you may write to.',
    errno.EPERM:
    'Pass a --work-dir you may write to.',
    errno.EROFS:
    'The file system is read-only: pass another --work-dir.',
    errno.ENOTDIR:
    'A part of the path is a file: pass another --work-dir.',
    errno.EEXIST:
    'A file is in the way of a directory: pass another '
    '--work-dir.',
}


class UserError(Exception):
    """Bad input: the message names the problem and the fix."""


def cli_main(func):
    """Run a tool's ``main``: a ``UserError`` (or a missing file) becomes one
    ``error: ...`` line on stderr and exit code 2; so does an ``OSError``
    of writing (disk full, no permission). The loggers, visualizers and
    other global instances the run creates end with it.

    Run as a program (its module is ``__main__``), a tool first freezes
    what its imports made (``gc.freeze``): torch and mmengine leave hundreds
    of thousands of objects that every full collection would walk again,
    seconds of a short run. Called in process, it leaves the collector as
    it is."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        if func.__module__ == '__main__':
            gc.freeze()
        with tool_run():
            return _report_user_errors(func, *args, **kwargs)

    return wrapper


def _report_user_errors(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except UserError as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(2)
    except FileNotFoundError as e:
        hint = '' if e.filename is None else (
            f'error: {e.filename!r} does not exist. Check the path (in '
            'the command, or in the config: data_root, load_from, '
            'model.subnet; --cfg-options can set them).')
        print(hint or f'error: {e}', file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        if e.errno not in _WRITE_ERRNOS:
            raise
        print(
            f'error: cannot write {e.filename or "a file"!r}: '
            f'{e.strerror or e}. {_WRITE_ERRNOS[e.errno]} Finished '
            'files were left as they were (mmnas writes them to a '
            'temporary file first).',
            file=sys.stderr)
        sys.exit(2)


def suggest(name, candidates) -> str:
    """' Did you mean X?' for the closest candidate, or ''."""
    close = get_close_matches(str(name), [str(c) for c in candidates], n=1)
    return f' Did you mean {close[0]!r}?' if close else ''
