"""benchmarks/bench_search_quality.py --quick on the SPOS part: the table
and the RESULT line come from real trainings and scores, and a second run
resumes from the state file instead of training again; the spread part (on
another SPOS space) and its intraclass correlation."""
import ast
import json
import os
import os.path as osp
import runpy
import shutil
import subprocess
import sys
import time
import types

import pytest
from conftest import ROOT, run_tool
from scipy.stats import kendalltau

BENCH = 'benchmarks/bench_search_quality.py'


def result_of(stdout):
    lines = stdout.rstrip().splitlines()
    assert lines[-1].startswith('RESULT: '), stdout[-2000:]
    return dict(kv.split('=') for kv in lines[-1].split()[1:])


def tau_text(x, y):
    tau = kendalltau(x, y).statistic
    return 'n/a' if tau != tau else f'{tau:.3f}'


def test_quick_spos_is_real_and_resumes(digits_root, tmp_path):
    work = tmp_path / 'bench'
    # a search limit below the config's 2.6 MFLOPs: the search, the random
    # draws and the percentile pool all keep to it; a second search run;
    # one uniform draw beside the random best
    args = [
        BENCH, '--quick', '--algorithm', 'spos', '--search-flops', '2.5',
        '--search-runs', '2', '--pool-size', '1', '--work-dir',
        str(work)
    ]
    start = time.time()
    first = run_tool(args)
    first_seconds = time.time() - start

    assert '| algorithm | measure | value |' in first.stdout
    table = (work / 'table.md').read_text()
    assert '| SPOS | Kendall tau-b' in table
    assert 'random subnets within flops 0.0-2.5M' in table
    result = result_of(first.stdout)
    assert set(result) == {
        'spos_tau', 'spos_tau_band', 'spos_ceiling', 'spos_pct',
        'spos_pct_uniform', 'spos_pool_icc', 'spos_uniform_icc',
        'spos_pct_perfect', 'spos_pct_runs'
    }

    state = json.loads((work / 'state.json').read_text())
    trainings = {k: v for k, v in state.items() if k.startswith('spos/train/')}
    # 3 ranking subnets x 2 seeds, the searched, the random best and one
    # more random x 2, and the second run's pick x 2 unless the first one
    # trained it
    runs = state['spos/summary']['search_runs']
    assert [r['name'] for r in runs][0] == 'searched' and len(runs) == 2
    assert len(trainings) == 12 + 2 * (runs[1]['name'] == 'searched1')
    assert state['spos/search1']['flops'] <= 2.5
    assert state['spos/search1']['choices'] == json.loads(
        (work / 'spos' / 'search1' /
         'search_result.json').read_text())['top_k'][0]['choices']
    for rec in trainings.values():
        assert 0 <= rec['top1'] <= 100
        assert osp.isfile(rec['ckpt'])
        assert rec['ckpt'].startswith(rec['work_dir'])
    scores = {k: v for k, v in state.items() if k.startswith('spos/score/')}
    assert len(scores) == 3 + 3  # ranking + as many random as searched
    assert all(0 <= s <= 100 for s in scores.values())

    assert state['spos/search']['flops'] <= 2.5
    drawn = state['spos/drawn']
    assert all(c['flops'] <= 2.5 for c in drawn['random'])
    assert all(c['valid'] == (c['flops'] <= 2.5) for c in drawn['rank'])

    # the printed figures are the ones the recorded units give
    summary = state['spos/summary']
    valid = {c['name'] for c in drawn['rank'] + drawn['random'] if c['valid']}
    assert set(summary['pool']) <= valid
    names = sorted(summary['rank_accs'])
    accs = [summary['rank_accs'][n] for n in names]
    assert result['spos_tau'] == tau_text(
        [summary['scores'][n] for n in names], [sum(a) / 2 for a in accs])
    assert result['spos_ceiling'] == tau_text([a[0] for a in accs],
                                              [a[1] for a in accs])
    for key in ('spos_tau', 'spos_tau_band', 'spos_ceiling'):
        assert result[key] == 'n/a' or -1 <= float(result[key]) <= 1
    assert 0 <= float(result['spos_pct']) <= 100
    # the uniform pool: the random best and the one more random subnet
    uniform = [
        c['name'] for c in drawn['random'] if c['name'] in summary['pool']
    ]
    assert len(uniform) == 2
    found = sum(summary['searched']) / len(summary['searched'])
    expected = sum(50.0 * ((summary['pool'][n] < found) +
                           (summary['pool'][n] <= found)) for n in uniform) / 2
    assert result['spos_pct_uniform'] == f'{expected:.1f}'
    # each pool's ICC(1) is the one of its recorded trainings (2 seeds each)
    bench = runpy.run_path(osp.join(ROOT, BENCH))

    def seed_accs(names):
        return [[state[f'spos/train/{name}/seed{s}']['top1'] for s in (0, 1)]
                for name in names]

    def icc_text(names):
        accs = seed_accs(names)
        return bench['fmt'](bench['icc1'](accs)[0] if len(accs) > 1 else None)

    assert result['spos_pool_icc'] == icc_text(summary['pool'])
    assert result['spos_uniform_icc'] == icc_text(uniform)
    # a perfect search's expectation in the uniform pool: its ICC and seed
    # sd, 2 subnets of 2 seeds, 2 found seeds, the search's 3 candidates
    icc, _, seed_sd = bench['icc1'](seed_accs(uniform))
    perfect = bench['perfect_search_percentile'](icc, seed_sd, 2, 2, 2, 3)
    assert result['spos_pct_perfect'] == bench['fmt'](perfect and perfect[0],
                                                      1)
    # each run's pick against the pool
    pcts = []
    for run in runs:
        top1 = [
            v['top1'] for k, v in trainings.items()
            if k.startswith(f'spos/train/{run["name"]}/')
        ]
        pool = list(summary['pool'].values())
        below = sum(p < run['top1'] for p in pool) + 0.5 * sum(p == run['top1']
                                                               for p in pool)
        assert run['top1'] == sum(top1) / len(top1)
        assert run['pct'] == 100.0 * below / len(pool)
        pcts.append(run['pct'])
    assert result['spos_pct_runs'] == f'{sum(pcts) / 2:.1f}'

    # a second run finds every unit done
    start = time.time()
    second = run_tool(args)
    assert time.time() - start < first_seconds / 2
    assert 'train spos' not in second.stdout
    assert result_of(second.stdout) == result
    assert json.loads((work / 'state.json').read_text()) == state


def test_icc_is_shrout_and_fleiss():
    """The spread part's intraclass correlation on Shrout and Fleiss'
    (1979) example ratings: ICC(1,1) 0.17, ICC(1,4) 0.44 in their table."""
    icc1 = runpy.run_path(osp.join(ROOT, BENCH))['icc1']
    ratings = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6],
               [10, 5, 6, 9], [6, 2, 4, 7]]
    single, of_mean, within_sd = icc1(ratings)
    assert round(single, 2) == 0.17 and round(of_mean, 2) == 0.44
    assert abs(within_sd**2 - 6.26) < 0.01  # their within-target mean square
    assert icc1([[1, 1], [1, 1]]) == (None, None, 0.0)


def test_perfect_search_percentile_in_its_limits():
    """Where subnets differ only by seed, a perfect ranking gains nothing
    (50th percentile); where seeds do not matter, the true best of M
    candidates beats a pool drawn like them with chance M / (M + 1)."""
    perfect = runpy.run_path(osp.join(ROOT,
                                      BENCH))['perfect_search_percentile']
    mean, low, high = perfect(0.0, 2.0, 16, 3, 5, 40)
    assert abs(mean - 50.0) < 0.5 and low < 50.0 < high
    assert perfect(-0.4, 2.0, 16, 3, 5, 40)[0] == mean  # ICC below 0: none
    assert abs(perfect(1.0, 2.0, 16, 3, 5, 3)[0] - 75.0) < 0.5
    assert abs(perfect(1.0, 2.0, 16, 3, 5, 9)[0] - 90.0) < 0.5
    assert 50.0 < perfect(0.3, 2.0, 16, 3, 5, 40)[0] < perfect(
        0.6, 2.0, 16, 3, 5, 40)[0]
    assert perfect(None, None, 16, 3, 5, 40) is None


def test_quick_spread_reports_its_trainings(digits_root, tmp_path):
    work = tmp_path / 'bench'
    args = [
        BENCH, '--quick', '--algorithm', 'spread', '--jobs', '2', '--work-dir',
        str(work)
    ]
    out = run_tool(args + ['--spos-space', 'mobilenet']).stdout
    assert '| spread | 2 SPOS MobileNet subnets within 3% of' in out
    state = json.loads((work / 'state.json').read_text())
    drawn = state['spread/drawn']
    anchor = drawn['found']['flops']
    assert len(drawn['random']) == 1  # --quick: 2 subnets
    assert abs(drawn['random'][0]['flops'] - anchor) <= 0.03 * anchor
    # the MobileNet space's subnets: 22 searchable blocks of MBConv or
    # identity candidates
    for sub in [drawn['found']] + drawn['random']:
        assert len(sub['choices']) == 22
        assert all(c == 'identity' or c.startswith('mb_k')
                   for c in sub['choices'].values())
    trainings = [k for k in state if k.startswith('spread/train/')]
    assert sorted(trainings) == [
        f'spread/train/{name}/seed{s}' for name in ('anchor', 'rand000')
        for s in (0, 1)
    ]
    accs = state['spread/summary']['accs']
    icc1 = runpy.run_path(osp.join(ROOT, BENCH))['icc1']
    icc = icc1([accs['anchor'], accs['rand000']])[0]
    expected = 'n/a' if icc is None else f'{icc:.3f}'
    assert result_of(out) == {'spread_icc': expected}

    # the work dir keeps its space: resuming it on another is refused
    other = run_tool(args, check=False)
    assert other.returncode != 0
    assert 'spos_space mobilenet -> shufflenet' in other.stdout
    assert 'Traceback' not in other.stdout


def test_pool_icc_reads_the_same_seeds_of_every_subnet():
    """A pool mixes subnets trained with --seeds and --found-seeds seeds;
    its ICC(1) compares the first --seeds of each, and is undefined below
    two subnets."""
    ns = runpy.run_path(osp.join(ROOT, BENCH))
    icc1, of_pool = ns['icc1'], ns['icc1_of_pool']
    single, _, seed_sd = icc1([[90., 91.], [95., 94.], [92., 92.5]])
    assert of_pool([[90., 91., 99.], [95., 94.], [92., 92.5, 80.]],
                   2) == (single, seed_sd)
    assert of_pool([[90., 91.]], 2) == (None, None)


def test_cuda_is_asked_through_nvml_when_mmengine_is_imported():
    """The trainings are forked from the benchmark, so on a GPU machine its
    process must not initialize CUDA. Importing mmengine asks
    ``torch.cuda.is_available()``; through the CUDA runtime that initializes
    CUDA, through NVML (PYTORCH_NVML_BASED_CUDA_CHECK=1) it does not. Each
    such question while the benchmark loads is recorded with the switch."""
    code = (
        'import os, runpy, torch\n'
        'asked = []\n'
        'available = torch.cuda.is_available\n'
        'def record():\n'
        '    asked.append(os.environ.get("PYTORCH_NVML_BASED_CUDA_CHECK"))\n'
        '    return available()\n'
        'torch.cuda.is_available = record\n'
        f'runpy.run_path({osp.join(ROOT, BENCH)!r})\n'
        'print(asked)\n')
    env = {
        k: v
        for k, v in os.environ.items() if k != 'PYTORCH_NVML_BASED_CUDA_CHECK'
    }
    out = subprocess.run([sys.executable, '-c', code],
                         cwd=ROOT,
                         env=env,
                         capture_output=True,
                         text=True,
                         check=True)
    asked = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    assert asked and set(asked) == {'1'}, out.stdout + out.stderr


def test_a_setting_added_since_a_run_was_saved_had_its_default(tmp_path):
    """A work dir saved before a setting existed ran with that setting's
    default (--quick's under --quick): resuming it with another value would
    mix protocols and is refused; with the default it goes on."""
    bench = runpy.run_path(osp.join(ROOT, BENCH))
    work = tmp_path / 'bench'
    work.mkdir()
    state = work / 'state.json'

    def resume(*argv):
        args = bench['parse_args'](['--work-dir', str(work), *argv])
        stub = types.SimpleNamespace(
            args=args, work=str(work), state=bench['State'](str(state)))
        bench['Bench'].check_settings(stub)

    def saved_without(*keys, quick=False):
        state.unlink(missing_ok=True)
        resume(*(['--quick'] if quick else []))
        data = json.loads(state.read_text())
        for key in keys:
            del data['settings'][key]
        state.write_text(json.dumps(data))

    saved_without('search_runs', 'search_flops')
    resume()
    saved_without('search_runs', 'search_flops')
    with pytest.raises(bench['UserError'], match='search_runs 1 -> 2'):
        resume('--search-runs', '2')
    with pytest.raises(bench['UserError'], match='search_flops None -> 3.4'):
        resume('--search-flops', '3.4')

    saved_without('spread_subnets', quick=True)
    resume('--quick')
    saved_without('spread_subnets', quick=True)
    with pytest.raises(bench['UserError'], match='spread_subnets 2 -> 4'):
        resume('--quick', '--spread-subnets', '4')


def write_color_folder(root, train=10, val=4):
    """Three classes of 32x32 RGB images (a colour each, plus noise) in the
    ImageNet folder layout; returns the training images as loaded (BGR)."""
    import numpy as np
    from PIL import Image
    rng = np.random.RandomState(0)
    loaded = []
    for c, colour in enumerate(([200, 30, 30], [30, 200, 30], [30, 30, 200])):
        for split, n in (('train', train), ('val', val)):
            folder = root / split / f'class{c}'
            folder.mkdir(parents=True)
            for i in range(n):
                rgb = np.clip(colour + rng.normal(0, 40, (32, 32, 3)), 0,
                              255).astype(np.uint8)
                Image.fromarray(rgb).save(folder / f'{i}.png')
                if split == 'train':
                    loaded.append(rgb[..., ::-1])
    return np.stack(loaded).reshape(-1, 3).astype(np.float64)


def test_data_root_runs_every_step_on_that_dataset(tmp_path):
    """--data-root: the trainings read that folder (training on its
    --train-per-class split), with a head of its number of classes and the
    data preprocessor normalizing by its own per-channel mean and std."""
    import torch
    data = tmp_path / 'colours'
    pixels = write_color_folder(data)
    work = tmp_path / 'bench'
    args = [
        BENCH, '--quick', '--algorithm', 'spread', '--jobs', '2', '--work-dir',
        str(work)
    ]
    run_tool(args + ['--data-root', str(data)])
    state = json.loads((work / 'state.json').read_text())
    assert state['data']['classes'] == ['class0', 'class1', 'class2']
    assert state['data']['images'] == {'train': 30, 'val': 12}
    assert state['data']['mean'] == pytest.approx(pixels.mean(0), abs=1e-3)
    assert state['data']['std'] == pytest.approx(pixels.std(0), abs=1e-3)
    unit = work / 'spread' / 'train' / 'anchor_seed0'
    ckpt = torch.load(
        next(unit.glob('epoch_*.pth')), map_location='cpu', weights_only=False)
    assert ckpt['state_dict']['head.fc.weight'].shape[0] == 3
    from mmengine.config import Config
    cfg = Config.fromstring(ckpt['meta']['cfg'], '.py')
    split = str(work / 'data' / 'colours_k8')  # --quick: 8 images per class
    assert cfg.train_dataloader.dataset.data_root == split
    assert cfg.val_dataloader.dataset.data_root == str(data)
    for c in range(3):
        assert len(os.listdir(osp.join(split, 'train', f'class{c}'))) == 8
    preprocessor = cfg.model.architecture.data_preprocessor
    assert preprocessor.mean == state['data']['mean']
    assert preprocessor.std == state['data']['std']

    # resuming with other data is refused, as is mixing it with --distort
    other = run_tool(args + ['--data-root', str(tmp_path)], check=False)
    assert other.returncode != 0 and 'data_root' in other.stdout
    both = run_tool(
        args + ['--data-root', str(data), '--distort', '1', '1'], check=False)
    assert both.returncode == 2 and 'not allowed with' in both.stdout


def test_data_root_that_does_not_fit_is_refused(tmp_path):
    """Split folders with other classes would shift the labels of one of
    them; one class is no classification task."""
    ns = runpy.run_path(osp.join(ROOT, BENCH))
    data = tmp_path / 'colours'
    write_color_folder(data)
    (data / 'val' / 'class2').rename(data / 'val' / 'class9')
    with pytest.raises(ns['UserError'], match='hold other classes'):
        ns['folder_stats'](str(data))
    for folder in ('train/class1', 'train/class2', 'val/class1', 'val/class9'):
        shutil.rmtree(data / folder)
    with pytest.raises(ns['UserError'], match='holds one class'):
        ns['folder_stats'](str(data))
    with pytest.raises(ns['UserError'], match='is not a folder'):
        ns['folder_stats'](str(tmp_path / 'nothing'))
