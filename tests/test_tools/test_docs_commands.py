"""The docs run as written: every ```bash block preceded by ``<!-- test -->``
in docs/ is run, in page order, from a fresh directory that sees the
repository's configs, tools and data; and every relative link resolves."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
from conftest import ROOT

DOCS = sorted(glob.glob(osp.join(ROOT, 'docs', '**', '*.md'), recursive=True))
MARKED = re.compile(r'<!-- test -->\s*```bash\n(.*?)```', re.S)
LINK = re.compile(r'\]\(([^)#\s]+)(?:#[^)]*)?\)')


def marked(path):
    with open(path) as f:
        return MARKED.findall(f.read())


PAGES = [p for p in DOCS if marked(p)]


def test_some_commands_are_marked():
    assert PAGES, 'no <!-- test --> command found in docs/'


@pytest.mark.parametrize(
    'page', PAGES, ids=[osp.relpath(p, ROOT) for p in PAGES])
def test_marked_commands_run_as_written(page, tmp_path, digits_root):
    for name in ('configs', 'tools', 'data', 'requirements'):
        os.symlink(osp.join(ROOT, name), tmp_path / name)
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PYTHONWARNINGS='ignore',
        PATH=osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
    for block in marked(page):
        proc = subprocess.run(['bash', '-e', '-c', block],
                              cwd=tmp_path,
                              env=env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              text=True,
                              timeout=600)
        assert proc.returncode == 0, \
            f'{block}\nexited {proc.returncode}:\n{proc.stdout[-3000:]}'
        for out in re.findall(r'--out\s+(\S+)', block):
            assert (tmp_path / out).is_file(), f'{block}\nwrote no {out}'


@pytest.mark.parametrize(
    'page', DOCS, ids=[osp.relpath(p, ROOT) for p in DOCS])
def test_relative_links_resolve(page):
    with open(page) as f:
        links = LINK.findall(f.read())
    broken = [
        link for link in links if '://' not in link
        and not osp.exists(osp.join(osp.dirname(page), link))
    ]
    assert not broken, f'{osp.relpath(page, ROOT)} links to missing {broken}'
