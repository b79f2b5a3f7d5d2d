"""The shared progress display: a bar with ETA on a terminal, log lines in
non-interactive logs, nothing under --quiet."""
import io

import pytest

from mmnas.utils import Progress, set_quiet, track


class Terminal(io.StringIO):

    def isatty(self):
        return True


@pytest.fixture(autouse=True)
def not_quiet():
    set_quiet(False)
    yield
    set_quiet(False)


def test_terminal_gets_a_bar_with_eta_and_nested_bars_close():
    out = Terminal()
    for _ in track(range(3), 'outer', file=out):
        for _ in track(range(2), 'inner', transient=True, file=out):
            pass
    text = out.getvalue()
    assert 'outer' in text and '3/3' in text and 'ETA' in text
    from mmnas.utils import progress
    assert progress._live is None and progress._open_bars == 0


def test_log_gets_a_line_every_n_items(monkeypatch):
    lines = []
    monkeypatch.setattr(
        'mmnas.utils.progress.print_log',
        lambda msg, logger=None: lines.append(msg))
    bar = Progress(10, 'generation 1/2', log_every=5, file=io.StringIO())
    for _ in range(10):
        bar.update()
    assert len(lines) == 2
    assert '5/10' in lines[0] and 'ETA' in lines[0] and '10/10' in lines[1]


def test_quiet_shows_nothing(monkeypatch):
    lines = []
    monkeypatch.setattr(
        'mmnas.utils.progress.print_log',
        lambda msg, logger=None: lines.append(msg))
    set_quiet()
    out = Terminal()
    for _ in track(range(4), 'searching', file=out):
        pass
    bar = Progress(4, 'x', log_every=1, file=io.StringIO())
    for _ in range(4):
        bar.update()
    assert out.getvalue() == '' and lines == []


def test_track_stops_where_the_caller_breaks():
    out = Terminal()
    for i in track(range(100), 'calibrating', total=100, file=out):
        if i == 3:
            break
    from mmnas.utils import progress
    assert progress._open_bars == 0
