"""Errors caused by what the user gave (config, subnet, constraint, file),
reported by the tools as one message without a traceback."""
import sys
from difflib import get_close_matches
from functools import wraps


class UserError(Exception):
    """Bad input: the message names the problem and the fix."""


def cli_main(func):
    """Run a tool's ``main``: a ``UserError`` (or a missing file) becomes one
    ``error: ...`` line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (UserError, FileNotFoundError) as e:
            print(f'error: {e}', file=sys.stderr)
            sys.exit(2)

    return wrapper


def suggest(name, candidates) -> str:
    """' Did you mean X?' for the closest candidate, or ''."""
    close = get_close_matches(str(name), [str(c) for c in candidates], n=1)
    return f' Did you mean {close[0]!r}?' if close else ''
