"""Progress of long loops (search generations, table evaluation, BN
recalibration, latency timing) as users see it.

On a terminal: a rich progress bar with ETA (nested bars share one live
display, log lines print above it). In a non-interactive log (stdout is a
file or pipe): a log line every ``log_every`` items with the ETA instead,
since a bar would only fill the log with carriage returns. Nothing at all
under ``--quiet`` (:func:`set_quiet`) and on non-main ranks.
"""
import sys
import time
from typing import Iterable, Iterator, Optional, TypeVar

from mmengine.dist import is_main_process
from mmengine.logging import print_log

T = TypeVar('T')
_quiet = False
_live = None  # the rich Progress shared by all open bars
_open_bars = 0


def set_quiet(quiet: bool = True) -> None:
    """Turn every progress display of this process off (``--quiet``)."""
    global _quiet
    _quiet = quiet


def is_quiet() -> bool:
    return _quiet


def _fmt_seconds(s: float) -> str:
    s = int(round(s))
    return f'{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}'


class Progress:
    """Progress of ``total`` items.

    Args:
        total (int): Number of items.
        desc (str): What is being done, e.g. ``'generation 3/20'``.
        log_every (int, optional): Items between log lines when stdout is not
            a terminal; None: about every tenth of ``total``; 0: no lines
            (for short inner loops such as BN recalibration).
        transient (bool): Remove the bar when done (inner loops).
        file: Stream whose ``isatty()`` decides bar or log lines
            (default ``sys.stdout``).
    """

    def __init__(self,
                 total: int,
                 desc: str,
                 log_every: Optional[int] = None,
                 transient: bool = False,
                 file=None) -> None:
        self.total, self.desc, self.transient = int(total), desc, transient
        self.done = 0
        self.start = time.monotonic()
        self.log_every = max(1, self.total // 10) if log_every is None \
            else log_every
        self.enabled = not _quiet and is_main_process() and self.total > 0
        file = sys.stdout if file is None else file
        self.task = None
        if self.enabled and getattr(file, 'isatty', lambda: False)():
            self._open_bar(file)

    def _open_bar(self, file) -> None:
        global _live, _open_bars
        if _live is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn
            from rich.progress import Progress as RichProgress
            from rich.progress import (TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)
            _live = RichProgress(
                TextColumn('{task.description}'),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn('ETA'),
                TimeRemainingColumn(),
                console=Console(file=file))
            _live.start()
        _open_bars += 1
        self.task = _live.add_task(self.desc, total=self.total)

    def eta(self) -> float:
        """Seconds left at the mean pace so far."""
        if not self.done:
            return float('nan')
        pace = (time.monotonic() - self.start) / self.done
        return pace * (self.total - self.done)

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.task is not None:
            _live.update(self.task, advance=n)
        elif self.log_every and (self.done % self.log_every == 0
                                 or self.done == self.total):
            elapsed = time.monotonic() - self.start
            print_log(
                f'{self.desc}: {self.done}/{self.total}, elapsed '
                f'{_fmt_seconds(elapsed)}, ETA '
                f'{_fmt_seconds(self.eta())}',
                logger='current')

    def close(self) -> None:
        global _live, _open_bars
        if self.task is None:
            return
        if self.transient:
            _live.remove_task(self.task)
        self.task = None
        _open_bars -= 1
        if _open_bars == 0:
            _live.stop()
            _live = None

    def __enter__(self) -> 'Progress':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def track(items: Iterable[T],
          desc: str,
          total: Optional[int] = None,
          **kwargs) -> Iterator[T]:
    """Iterate ``items`` with a :class:`Progress`; ``total`` defaults to
    ``len(items)``. Stops counting where the caller breaks out."""
    total = len(items) if total is None else total
    with Progress(total, desc, **kwargs) as bar:
        for item in items:
            yield item
            bar.update()
