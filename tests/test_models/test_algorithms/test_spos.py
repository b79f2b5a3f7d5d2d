"""SPOS end to end: evolution search, subnet files, static subnets,
exported checkpoints."""
import copy
import json
import os.path as osp

import pytest
import torch
from conftest import ROOT, run_and_kill, run_tool
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import CostTable
from mmnas.models import SearchSpaceError
from mmnas.models.mutables import BaseMutable
from mmnas.models.subnet import fix_subnet
from mmnas.registry import MODELS
from mmnas.structures import SubnetFileError, dump_subnet, load_subnet

register_all_modules()
SPOS = 'configs/nas/spos/'
SUPERNET_DIGITS = SPOS + 'spos_shufflenet_supernet_1xb64_digits.py'
SEARCH_DIGITS = SPOS + 'spos_shufflenet_search_1xb64_digits.py'
SUBNET_DIGITS = SPOS + 'spos_shufflenet_subnet_1xb64_digits.py'


def search_args(work_dir, ckpt, limit, generations=2):
    return [
        'tools/train.py', SEARCH_DIGITS, '--work-dir',
        str(work_dir), '--cfg-options', f'load_from={ckpt}',
        f'train_cfg.max_epochs={generations}', 'train_cfg.num_candidates=4',
        'train_cfg.top_k=2', 'train_cfg.num_mutation=1',
        'train_cfg.num_crossover=1', 'train_cfg.calibrate_bn_iters=1',
        f'train_cfg.constraints_range.flops=[0,{limit}]'
    ]


@pytest.fixture(scope='module')
def supernet_ckpt(digits_root, tmp_path_factory):
    work = tmp_path_factory.mktemp('supernet')
    run_tool([
        'tools/train.py', SUPERNET_DIGITS, '--work-dir',
        str(work), '--cfg-options', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=5'
    ])
    return str(work / 'epoch_1.pth')


@pytest.fixture(scope='module')
def digits_space():
    cfg = Config.fromfile(osp.join(ROOT, SUPERNET_DIGITS))
    model = MODELS.build(cfg.model)
    table = CostTable((1, 3, 32, 32),
                      cache=False).bind(model.architecture, model.mutator)
    flops = sorted(
        table.cost(model.mutator.sample_choices())['flops']
        for _ in range(200))
    # a limit that about half of the random subnets meet
    return model, flops[len(flops) // 2] / 1e6


@pytest.fixture(scope='module')
def search_run(supernet_ckpt, digits_space, tmp_path_factory):
    work = tmp_path_factory.mktemp('search')
    limit = digits_space[1]
    run_tool(search_args(work, supernet_ckpt, limit))
    return work, limit


def read_log(work):
    with open(osp.join(work, 'search_log.jsonl')) as f:
        return [json.loads(line) for line in f]


def test_search_honours_constraints_and_never_rescores(search_run):
    work, limit = search_run
    log = read_log(work)
    assert len(log) == 8  # 2 generations x 4 new candidates
    assert all(e['flops'] <= limit for e in log)
    keys = [json.dumps(e['choices'], sort_keys=True) for e in log]
    assert len(set(keys)) == len(keys)


def test_search_top_k_is_monotone_and_best_is_written(search_run):
    work, _ = search_run
    result = json.load(open(osp.join(work, 'search_result.json')))
    best = [h['best_score'] for h in result['history']]
    assert best == sorted(best)
    top = result['top_k']
    assert [c['score'] for c in top] == sorted((c['score'] for c in top),
                                               reverse=True)
    subnet = load_subnet(osp.join(work, 'best_subnet.yaml'))
    assert subnet == top[0]['choices']
    assert max(e['score'] for e in read_log(work)) == top[0]['score']


def test_search_killed_mid_generation_resumes_to_the_same_best(
        search_run, supernet_ckpt, tmp_path):
    work, limit = search_run
    args = search_args(tmp_path, supernet_ckpt, limit)
    log = tmp_path / 'search_log.jsonl'
    # kill once generation 2 has scored one of its candidates
    run_and_kill(
        args, lambda: log.exists() and len(log.read_text().splitlines()) >= 5)
    assert not (tmp_path / 'best_subnet.yaml').exists()
    run_tool(args + ['--resume'])
    assert load_subnet(str(tmp_path / 'best_subnet.yaml')) == \
        load_subnet(str(work / 'best_subnet.yaml'))
    ours = json.load(open(tmp_path / 'search_result.json'))
    ref = json.load(open(work / 'search_result.json'))
    assert ours['top_k'] == ref['top_k']


def test_impossible_constraint_is_one_clear_error(supernet_ckpt, tmp_path):
    proc = run_tool(search_args(tmp_path, supernet_ckpt, 0.001), check=False)
    assert proc.returncode == 2
    assert 'no subnet satisfies' in proc.stdout
    assert 'This search space spans params' in proc.stdout
    assert 'Traceback' not in proc.stdout


def test_unknown_score_key_is_one_clear_error(supernet_ckpt, tmp_path):
    proc = run_tool(
        search_args(tmp_path, supernet_ckpt, 2.6) +
        ['train_cfg.score_key=accuracy/top5'],
        check=False)
    assert proc.returncode == 2
    assert "score_key 'accuracy/top5' is not among the metrics " \
        "['accuracy/top1']" in proc.stdout
    assert 'Traceback' not in proc.stdout


# -- subnet files --


def test_subnet_that_does_not_fit_names_each_entry(tmp_path, digits_space):
    model = copy.deepcopy(digits_space[0])
    subnet = dict(model.mutator.sample_choices())
    subnet['backbone.layers.0.0'] = 'shuffle_9x9'
    del subnet['backbone.layers.3.3']
    subnet['backbone.layers.9.9'] = 'shuffle_3x3'
    path = dump_subnet(subnet, str(tmp_path / 'bad.yaml'))
    with pytest.raises(SearchSpaceError) as e:
        fix_subnet(model.architecture, path)
    msg = str(e.value)
    assert "'backbone.layers.0.0': unknown choice 'shuffle_9x9'" in msg
    assert "missing mutable 'backbone.layers.3.3'" in msg
    assert "unknown mutable 'backbone.layers.9.9'" in msg
    (tmp_path / 'broken.yaml').write_text('a: [unclosed')
    with pytest.raises(SubnetFileError, match='not valid YAML'):
        load_subnet(str(tmp_path / 'broken.yaml'))


def test_static_subnet_equals_the_supernet_path(digits_space):
    model = copy.deepcopy(digits_space[0]).eval()
    supernet = model.architecture
    choices = model.mutator.sample_choices()
    model.mutator.set_choices(choices)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected = supernet(x, mode='tensor')
    static = fix_subnet(copy.deepcopy(supernet), choices).eval()
    assert not any(isinstance(m, BaseMutable) for m in static.modules())
    with torch.no_grad():
        assert torch.allclose(static(x, mode='tensor'), expected, atol=1e-6)


def test_exported_checkpoint_loads_into_the_subnet_config(
        search_run, supernet_ckpt, tmp_path):
    work, _ = search_run
    subnet = str(work / 'best_subnet.yaml')
    out = str(tmp_path / 'subnet.pth')
    run_tool([
        'tools/model_converters/export_subnet.py', SUPERNET_DIGITS,
        supernet_ckpt, subnet, out
    ])
    proc = run_tool([
        'tools/test.py', SUBNET_DIGITS, out, '--work-dir',
        str(tmp_path / 'test'), '--out',
        str(tmp_path / 'metrics.json'), '--cfg-options',
        f'model.subnet={subnet}'
    ])
    assert 'accuracy/top1' in json.load(open(tmp_path / 'metrics.json'))
    # strict load: every key of the static model came from the export
    assert 'missing keys' not in proc.stdout
    assert 'unexpected key' not in proc.stdout


def test_subnet_model_inherits_supernet_weights(search_run, supernet_ckpt):
    work, _ = search_run
    cfg = Config.fromfile(osp.join(ROOT, SUBNET_DIGITS))
    cfg.model.subnet = str(work / 'best_subnet.yaml')
    cfg.model.supernet_checkpoint = supernet_ckpt
    static = MODELS.build(cfg.model)
    state = torch.load(supernet_ckpt, map_location='cpu')['state_dict']
    choice = load_subnet(cfg.model.subnet)['backbone.layers.0.0']
    prefix = f'architecture.backbone.layers.0.0._candidates.{choice}.'
    block = static.backbone.layers[0][0].state_dict()
    assert block and all(
        torch.equal(v, state[prefix + k]) for k, v in block.items())


def test_get_flops_counts_the_published_spos_subnet():
    proc = run_tool([
        'tools/analysis/get_flops.py',
        SPOS + 'spos_shufflenet_subnet_8xb128_in1k.py', '--json'
    ])
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    # MMRazor 1.0's ResourceEstimator counts the same subnet at 3,353,592
    assert counts['params'] == 3_353_592
    assert 0.30e9 < counts['flops'] < 0.34e9
