"""The 'mmrazor' FLOPs convention: MMRazor 1.0's ResourceEstimator counts,
reproduced exactly, in get_flops.py, cost tables and search constraints."""
import json
import os.path as osp

import pytest
import torch
import torch.nn as nn
from conftest import ROOT, run_tool
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import CostTable, count_static, count_subnet
from mmnas.registry import MODELS

# MMRazor 1.0's own counts at 1x3x224x224 (shared/reference/published_counts)
PUBLISHED = {
    'spos/spos_shufflenet_subnet_8xb128_in1k.py': 327_544_320,
    'spos/spos_mobilenet_subnet_8xb128_in1k.py': 490_136_480,
    'dsnas/dsnas_shufflenet_subnet_8xb128_in1k.py': 299_135_296,
}
ANGLENAS_0X = osp.join(ROOT, 'tests', 'data', 'mmrazor',
                       'SPOS_MOBILENET_490M_FROM_ANGELNAS_0x.yaml')


def build(config):
    register_all_modules()
    return MODELS.build(
        Config.fromfile(osp.join(ROOT, 'configs', 'nas', config)).model)


@pytest.mark.parametrize('config', list(PUBLISHED))
def test_published_subnets_count_as_mmrazor_counts_them(config):
    cost = count_static(build(config), convention='mmrazor')
    assert cost['flops'] == PUBLISHED[config]


def test_get_flops_counts_the_0x_anglenas_file_as_mmrazor():
    proc = run_tool([
        'tools/analysis/get_flops.py',
        'configs/nas/spos/spos_mobilenet_supernet_8xb128_in1k.py', '--subnet',
        ANGLENAS_0X, '--convention', 'mmrazor', '--json'
    ])
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == dict(
        params=5_936_776, flops=490_136_480)


def test_each_op_counts_by_mmrazors_rule():
    net = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=True), nn.BatchNorm2d(8),
        nn.ReLU6(), nn.MaxPool2d(2), nn.BatchNorm2d(8, affine=False),
        nn.Conv2d(8, 4, 1, bias=False), nn.Sigmoid(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(4, 5))
    out = 8 * 16 * 16
    expected = (
        27 * out + out  # conv multiply-adds + bias
        + 2 * out + out + out  # affine BN, ReLU6, max pool (its input)
        + out // 4  # BN without affine
        + 8 * 4 * 64  # 1x1 conv; sigmoid uncounted
        + 4 * 64  # global pooling (its input)
        + 4 * 5)  # linear without bias
    assert count_static(
        net, (1, 3, 16, 16), convention='mmrazor')['flops'] == expected


def test_cost_table_in_mmrazor_convention_sums_exactly(tmp_path):
    model = build('spos/spos_shufflenet_supernet_1xb64_digits.py')
    arch, mutator = model.architecture, model.mutator
    table = CostTable((1, 3, 32, 32), cache=False,
                      convention='mmrazor').bind(arch, mutator)
    macs = CostTable((1, 3, 32, 32), cache=False).bind(arch, mutator)
    torch.manual_seed(0)
    for _ in range(3):
        choices = mutator.sample_choices()
        assert table.cost(choices) == count_subnet(
            arch, mutator, choices, (1, 3, 32, 32), convention='mmrazor')
        assert table.cost(choices)['flops'] > macs.cost(choices)['flops']
    path = table.save(str(tmp_path / 'table.json'))
    assert CostTable.load(path, mutator).convention == 'mmrazor'


def test_evolution_search_with_mmrazor_constraints_runs(digits_root, tmp_path):
    limit = 4.0  # MFLOPs at 32x32 in MMRazor's convention
    run_tool([
        'tools/train.py', 'configs/nas/spos/spos_shufflenet_search_1xb64_'
        'digits.py', '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_epochs=1',
        'train_cfg.num_candidates=2', 'train_cfg.top_k=1',
        'train_cfg.num_mutation=0', 'train_cfg.num_crossover=0',
        'train_cfg.calibrate_bn_iters=1',
        'train_cfg.estimator.convention=mmrazor',
        f'train_cfg.constraints_range.flops=[0,{limit}]'
    ])
    with open(tmp_path / 'search_log.jsonl') as f:
        log = [json.loads(line) for line in f]
    model = build('spos/spos_shufflenet_supernet_1xb64_digits.py')
    for entry in log:
        flops = count_subnet(model.architecture, model.mutator,
                             entry['choices'], (1, 3, 32, 32),
                             'mmrazor')['flops']
        assert entry['flops'] == pytest.approx(flops / 1e6)
        assert entry['flops'] <= limit
    assert log


def test_dsnas_penalty_counts_in_the_chosen_convention(tmp_path, monkeypatch):
    monkeypatch.setenv('MMNAS_CACHE_DIR', str(tmp_path))
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'nas', 'dsnas',
                 'dsnas_shufflenet_supernet_1xb64_digits.py'))
    cfg.model.estimator.convention = 'mmrazor'
    alg = MODELS.build(cfg.model)
    choices = alg.mutator.sample_choices()
    assert alg.estimator.convention == 'mmrazor'
    assert alg.estimator.cost(choices) == count_subnet(alg.architecture,
                                                       alg.mutator, choices,
                                                       (1, 3, 32, 32),
                                                       'mmrazor')
