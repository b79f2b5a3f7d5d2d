"""mmnas/utils is the ground floor: it imports no other mmnas package (not
even inside a function), importing it changes nothing of mmengine, and the
import graph of mmnas has no circle."""
import ast
import os.path as osp
import subprocess
import sys
from glob import glob

from conftest import ROOT

PACKAGE = osp.join(ROOT, 'mmnas')


def module_name(path: str) -> str:
    rel = osp.relpath(path, ROOT)[:-len('.py')].replace(osp.sep, '.')
    return rel[:-len('.__init__')] if rel.endswith('.__init__') else rel


def imports(path: str):
    """Every mmnas module ``path`` imports, at any depth of its source."""
    name = module_name(path)
    package = name if path.endswith('__init__.py') else name.rpartition('.')[0]
    modules = {module_name(p) for p in all_files()}
    found = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = package.split('.')
                parts = parts[:len(parts) - node.level + 1]
                base = '.'.join(parts + ([base] if base else []))
            for alias in node.names:  # a submodule, else a name of base
                sub = f'{base}.{alias.name}'
                found.add(sub if sub in modules else base)
    return {m for m in found if m in modules and m != name}


def all_files():
    return glob(osp.join(PACKAGE, '**', '*.py'), recursive=True)


def test_utils_imports_nothing_of_mmnas_outside_itself():
    for path in glob(osp.join(PACKAGE, 'utils', '*.py')):
        outside = {
            m
            for m in imports(path)
            if m != 'mmnas.utils' and not m.startswith('mmnas.utils.')
        }
        assert not outside, f'{path} imports {sorted(outside)}'


def test_the_import_graph_has_no_circle():
    graph = {module_name(p): imports(p) for p in all_files()}
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                circle = path[path.index(nxt):] + [nxt]
                raise AssertionError('import circle: ' + ' -> '.join(circle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 'done'

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_importing_utils_leaves_mmengine_checkpoint_loading_alone():
    code = ('from mmengine.runner.checkpoint import CheckpointLoader as L\n'
            'import mmengine.hooks.checkpoint_hook as h\n'
            'before = dict(L._schemes), dict(vars(h))\n'
            'import mmnas.utils\n'
            'assert (L._schemes, vars(h)) == before, "changed by utils"\n'
            'import mmnas\n'
            'mmnas.register_all_modules()\n'
            'assert (L._schemes, vars(h)) == before, "changed by mmnas"\n')
    done = subprocess.run([sys.executable, '-c', code],
                          cwd=ROOT,
                          capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
