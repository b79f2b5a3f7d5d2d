"""Running a script in the MMRazor venv (../shared/peers/mmrazor/setup.sh)
for a side-by-side figure; mmnas never imports MMRazor."""
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
from typing import Callable, List

DEFAULT_PYTHON = os.environ.get('MMNAS_PEER_PYTHON',
                                '/work/peer_venv/bin/python')

# The start of a peer script run by ``run_peer``: its JSON arguments (the
# file in argv[1]) as ``args``, torch on ``args['threads']`` threads, and
# MMRazor's and mmcls' registries set up (MMRazor's the default scope).
PEER_PRELUDE = r"""
import json, sys, warnings
warnings.filterwarnings('ignore')
import torch
with open(sys.argv[1]) as f:
    args = json.load(f)
torch.set_num_threads(args['threads'])
from mmrazor.utils import register_all_modules
register_all_modules(True)
from mmcls.utils import register_all_modules as cls_register
cls_register(False)
"""


def check_peer(python: str) -> None:
    """Exit with one error line when ``python`` is not there."""
    if not osp.isfile(python):
        sys.exit(f'error: no MMRazor venv at {python}; build it with '
                 'bash ../shared/peers/mmrazor/setup.sh /work/peer_venv or '
                 'pass --peer-python.')


def run_peer(python: str,
             script: str,
             write_inputs: Callable[[str], List[str]],
             threads: int = 1):
    """Run ``script`` (its text) with ``python`` in a temporary folder,
    ``write_inputs(folder)`` giving its arguments (files too large for a
    command line go into the folder), on ``threads`` threads; return the
    JSON of its last output line. Exits with one error line when the venv
    is missing or the script fails."""
    check_peer(python)
    with tempfile.TemporaryDirectory() as d:
        path = osp.join(d, 'peer.py')
        with open(path, 'w') as f:
            f.write(script)
        argv = write_inputs(d)
        proc = subprocess.run([python, path, *argv],
                              text=True,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE,
                              env=dict(
                                  os.environ, OMP_NUM_THREADS=str(threads)))
    if proc.returncode != 0:
        sys.exit(f'error: MMRazor peer failed:\n{proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])
