"""Tools run in this process (tests, notebooks) leave no global state: a
second run never logs through the first run's handlers."""
import contextlib
import io
import logging
import time

import torch
from conftest import ROOT
from mmengine.logging import MessageHub, MMLogger
from mmengine.visualization import Visualizer

from mmnas.utils.global_state import snapshot

CFG = 'configs/nas/spos/spos_shufflenet_supernet_1xb64_digits.py'


def names(cls):
    return list(cls._instance_dict)


def test_two_tool_runs_back_to_back_under_capture(run_in_process, tmp_path,
                                                  monkeypatch, digits_root):
    """Both runs start in the same second, so mmengine gives them the same
    logger name; the first logs to a stream closed when it ends, as a
    test's capture is."""
    cfg = tmp_path / 'tiny.py'
    cfg.write_text(f"_base_ = ['{ROOT}/{CFG}']\n"
                   "val_dataloader = dict(dataset=dict(indices=8))\n")
    ckpt = tmp_path / 'other.pth'
    torch.save({'meta': {}, 'state_dict': {'w': torch.zeros(3)}}, str(ckpt))
    now = time.time()
    monkeypatch.setattr(time, 'time', lambda: now)
    argv = [str(cfg), str(ckpt), '--work-dir', str(tmp_path / 'work')]
    before = snapshot()

    first = io.StringIO()
    with contextlib.redirect_stdout(first), contextlib.redirect_stderr(first):
        code, _ = run_in_process('test.py', argv)
    first.close()
    assert code == 2
    code, out = run_in_process('test.py', argv)
    assert code == 2
    assert 'System environment' in out  # the second run's logger printed
    assert '--- Logging error ---' not in out
    assert 'checkpoint of another model' in out

    for cls in (MMLogger, MessageHub, Visualizer):
        assert names(cls) == list(before['instances'].get(cls, {}))
    root = logging.getLogger()
    assert root.handlers == before['handlers'][root]
