import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DIGITS = osp.join(ROOT, 'data', 'digits')


@pytest.fixture(scope='session')
def digits_root():
    """The embedded digits data in ImageNet folder layout (idempotent)."""
    sys.path.insert(0, osp.join(ROOT, 'tools', 'dataset_converters'))
    from prepare_digits import prepare
    prepare(DIGITS)
    return DIGITS


def run_tool(args, timeout=600, check=True, env=None):
    """Run a repo tool (``tools/...``) as a user would; returns the
    CompletedProcess with stdout+stderr in ``.stdout``."""
    full_env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    full_env.update(env or {})
    cmd = args if args[0].endswith('.sh') else [sys.executable] + args
    proc = subprocess.run(cmd, cwd=ROOT, env=full_env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(args)} exited {proc.returncode}:\n'
                             + proc.stdout[-4000:])
    return proc
