"""Pictures and tables a user looks at: the search plot, the subnet table,
TensorBoard through --cfg-options."""
import glob
import json
import os.path as osp
import runpy

import pytest
from conftest import ROOT

CFG = 'configs/nas/spos/spos_shufflenet_supernet_1xb64_digits.py'
TB = 'visualizer.vis_backends.0.type=TensorboardVisBackend'


def plot_search():
    return runpy.run_path(
        osp.join(ROOT, 'tools/analysis/plot_search.py'), run_name='mmnas_test')


def test_pareto_front_keeps_only_undominated_points():
    front = plot_search()['pareto_front']([(2.0, 10.), (1.0, 5.), (1.5, 12.),
                                           (3.0, 11.), (1.0, 4.), (2.5, 12.)])
    assert front == [(1.0, 5.), (1.5, 12.)]


def test_plot_search_draws_a_running_search(tmp_path):
    """No search_result.json yet (still running), a line cut by a kill."""
    lines = []
    for epoch in range(3):
        for i in range(4):
            lines.append(
                json.dumps(
                    dict(
                        epoch=epoch,
                        choices={'a': f'{epoch}{i}'},
                        score=50 + 10 * epoch + i,
                        flops=2 + 0.1 * i,
                        params=0.1)))
    (tmp_path / 'search_log.jsonl').write_text('\n'.join(lines) +
                                               '\n{"epoch": 3, "cho')
    mod = plot_search()
    hist = mod['history'](str(tmp_path), mod['read_log'](str(tmp_path)))
    assert [h['best_score'] for h in hist] == [53, 63, 73]
    out = mod['plot'](str(tmp_path), str(tmp_path / 's.png'))
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_show_subnet_costs_add_up(run_in_process, tmp_path):
    from mmnas import register_all_modules
    from mmnas.estimators import count_subnet
    from mmnas.registry import MODELS
    from mmnas.structures import dump_subnet
    from mmnas.utils.config import load_config
    register_all_modules()
    model = MODELS.build(load_config(osp.join(ROOT, CFG)).model)
    choices = model.mutator.sample_choices()
    path = dump_subnet(choices, str(tmp_path / 'subnet.yaml'))
    code, out = run_in_process(
        'analysis/show_subnet.py',
        [path, '--config',
         osp.join(ROOT, CFG), '--shape', '32', '32'])
    assert code == 0, out
    rows = [
        ln.split() for ln in out.splitlines() if ln.startswith('backbone.')
    ]
    assert [r[1] for r in rows] == [choices[r[0]] for r in rows]
    total = out.splitlines()[-1].split()
    exact = count_subnet(model.architecture, model.mutator, choices,
                         (1, 3, 32, 32))
    assert int(total[-2].replace(',', '')) == exact['params']
    assert float(total[-1]) == pytest.approx(exact['flops'] / 1e6, abs=5e-4)
    layer_params = sum(int(r[2].replace(',', '')) for r in rows)
    fixed = [ln for ln in out.splitlines() if ln.startswith('fixed part')]
    assert layer_params + int(fixed[0].split()[-2].replace(',', '')) == \
        exact['params']


def test_tensorboard_backend_from_cfg_options(tmp_path):
    from mmengine.config import DictAction
    from mmengine.visualization import Visualizer

    from mmnas import register_all_modules
    from mmnas.utils.config import load_config
    register_all_modules()
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    options = parser.parse_args(['--cfg-options', TB]).cfg_options
    cfg = load_config(osp.join(ROOT, CFG), options)
    cfg.visualizer.save_dir = str(tmp_path)
    cfg.visualizer.name = 'test_tb'
    vis = Visualizer.get_instance(
        **{k: v
           for k, v in cfg.visualizer.items() if k != 'type'})
    vis.add_scalars({'search/best_score': 91.5}, step=1)
    vis.close()
    assert glob.glob(
        str(tmp_path / '**' / 'events.out.tfevents.*'), recursive=True)
