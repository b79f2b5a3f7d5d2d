import glob
import json
import os
import os.path as osp
import runpy
import signal
import subprocess
import sys
import time

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DIGITS = osp.join(ROOT, 'data', 'digits')


@pytest.fixture(scope='session')
def digits_root():
    """The embedded digits data in ImageNet folder layout (idempotent)."""
    from mmnas.datasets.digits import prepare
    prepare(DIGITS)
    return DIGITS


@pytest.fixture
def run_in_process(capsys):
    """Run a repo tool's ``main(argv)`` in this process, in the repo root;
    ``call('train.py', argv)`` returns (exit code, stdout+stderr).

    Each run, and the test as a whole, ends with mmengine's global
    instances (loggers, visualizers, message hubs, default scopes) and
    logging handlers as they were before it: a logger made here never
    writes to this test's capture after it is closed.
    """
    from mmnas.utils.global_state import restore, snapshot, tool_run
    before = snapshot()

    def call(tool, argv):
        main = runpy.run_path(
            osp.join(ROOT, 'tools', tool), run_name='mmnas_test')['main']
        code = 0
        with tool_run():
            try:
                code = main(argv) or 0
            except SystemExit as e:
                code = 0 if e.code is None else e.code
        out = capsys.readouterr()
        return code, out.out + out.err

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        mp.setenv('OMP_NUM_THREADS', '1')
        yield call
    # the handlers pytest adds for this phase stay
    now = snapshot()
    restore(dict(now, instances=before['instances'], quiet=before['quiet']))


def run_tool(args, timeout=600, check=True, env=None):
    """Run a repo tool (``tools/...``) as a user would; returns the
    CompletedProcess with stdout+stderr in ``.stdout``."""
    full_env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    full_env.update(env or {})
    cmd = args if args[0].endswith('.sh') else [sys.executable] + args
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=full_env,
        timeout=timeout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(args)} exited {proc.returncode}:\n' +
                             proc.stdout[-4000:])
    return proc


def run_and_kill(args, ready, timeout=300):
    """Start a repo tool as ``run_tool`` does and SIGKILL it as soon as
    ``ready()`` holds (polled every 50 ms); fail if it ends first."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    proc = subprocess.Popen(
        [sys.executable] + args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout
    try:
        while not ready():
            assert proc.poll() is None, \
                f'{" ".join(args)} ended before it could be killed'
            assert time.time() < deadline, f'{" ".join(args)} never got ready'
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def logged_iters(work_dir):
    """``iter`` values, in order, that the runs in ``work_dir`` logged to
    their scalars.json (one list per run, oldest run first)."""
    runs = []
    for path in sorted(
            glob.glob(
                osp.join(str(work_dir), '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            lines = f.read().splitlines()
        iters = []
        for line in lines:
            try:
                iters.append(json.loads(line)['iter'])
            except (ValueError, KeyError):  # val records, a cut last line
                continue
        runs.append(iters)
    return runs
