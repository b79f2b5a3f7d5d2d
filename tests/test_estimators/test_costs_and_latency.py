"""Cost counting, cost tables, latency tables and tools/analysis/get_flops."""
import copy
import json
import random

import pytest
import torch
import torch.nn as nn
from conftest import ROOT, run_tool

from mmnas import register_all_modules
from mmnas.estimators import (CostTable, CostTableError, LatencyTable,
                              LatencyTableError, count_static, count_subnet)
from mmnas.models import NasMutator, OneShotMutableOP
from mmnas.models.mutators import SearchSpaceError
from mmnas.registry import MODELS
from mmnas.structures import dump_subnet
from mmnas.utils.config import load_config

SPOS_IN1K = f'{ROOT}/configs/nas/spos/spos_shufflenet_supernet_8xb128_in1k.py'
# MMRazor 1.x configs/nas/mmcls/spos/SPOS_SUBNET.yaml, block by block
MMRAZOR_SPOS = [
    'shuffle_7x7', 'shuffle_3x3', 'shuffle_7x7', 'shuffle_3x3',
    'shuffle_xception', 'shuffle_5x5', 'shuffle_5x5', 'shuffle_3x3',
    'shuffle_3x3', 'shuffle_5x5', 'shuffle_3x3', 'shuffle_5x5', 'shuffle_3x3',
    'shuffle_xception', 'shuffle_5x5', 'shuffle_7x7', 'shuffle_7x7',
    'shuffle_3x3', 'shuffle_5x5', 'shuffle_xception'
]
SMALL = (1, 3, 32, 32)


def mmrazor_spos_subnet():
    names = [
        f'backbone.layers.{s}.{b}' for s, n in enumerate([4, 4, 8, 4])
        for b in range(n)
    ]
    return dict(zip(names, MMRAZOR_SPOS))


@pytest.fixture(scope='module')
def spos():
    register_all_modules()
    cfg = load_config(SPOS_IN1K)
    return cfg, MODELS.build(cfg.model)


def conv(cin, cout, k, groups=1):
    return nn.Conv2d(cin, cout, k, padding=k // 2, groups=groups, bias=True)


class TinySupernet(nn.Module):
    """Stem conv, two searchable layers sharing one decision (alias), one
    searchable layer of its own, a classifier."""

    def __init__(self, kernels=(1, 3)):
        super().__init__()
        self.stem = conv(3, 4, 3)

        def choice(alias=None):
            return OneShotMutableOP({f'k{k}': conv(4, 4, k)
                                     for k in kernels},
                                    alias=alias)

        self.a1, self.a2, self.b = choice('a'), choice('a'), choice()
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        x = self.b(self.a2(self.a1(self.stem(x))))
        return self.fc(x.mean((2, 3)))


def tiny(kernels=(1, 3)):
    net = TinySupernet(kernels)
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    return net, mutator


# count_static ----------------------------------------------------------
def test_count_static_hand_computed_macs():
    net = nn.Sequential(
        conv(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), conv(8, 8, 5, groups=8),
        nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(8, 10))
    net.train()
    cost = count_static(net, (2, 3, 16, 16))
    macs = 2 * (16 * 16 * 8 * 3 * 9 + 16 * 16 * 8 * 1 * 25 + 8 * 10)
    params = (8 * 3 * 9 + 8) + 16 + (8 * 25 + 8) + (8 * 10 + 10)
    assert cost == dict(params=params, flops=macs)
    assert net.training  # mode restored
    # an algorithm is counted through its architecture
    algorithm = nn.Module()
    algorithm.architecture = net
    assert count_static(algorithm, (2, 3, 16, 16)) == cost


def test_count_subnet_equals_static_subnet(spos):
    cfg, alg = spos
    subnet = mmrazor_spos_subnet()
    before = dict(alg.mutator.current_choices)
    ours = count_subnet(alg.architecture, alg.mutator, subnet, SMALL)
    assert alg.mutator.current_choices == before  # choices restored
    static = MODELS.build(
        dict(
            type='SubnetModel',
            subnet=subnet,
            architecture=cfg.model.architecture))
    assert ours == count_static(static, SMALL)
    assert ours['params'] == 3_353_592  # MMRazor's exact count


def test_count_subnet_refuses_bad_subnet(spos):
    _, alg = spos
    bad = dict(mmrazor_spos_subnet(), **{'backbone.layers.0.0': 'conv_9x9'})
    with pytest.raises(SearchSpaceError, match='conv_9x9'):
        count_subnet(alg.architecture, alg.mutator, bad, SMALL)


# CostTable ---------------------------------------------------------------
def test_cost_table_equals_count_subnet(spos, tmp_path):
    cfg, _ = spos
    # the SPOS space with fewer blocks per stage, so 20 full counts stay fast
    arch = copy.deepcopy(cfg.model)
    arch.architecture.backbone.arch_setting = [[64, 2], [160, 1], [320, 2],
                                               [640, 1]]
    alg = MODELS.build(arch)
    table = CostTable(
        SMALL, cache_dir=str(tmp_path)).bind(alg.architecture, alg.mutator)
    rng = random.Random(0)
    subnets = [alg.mutator.sample_choices(rng) for _ in range(20)]
    for subnet in subnets:
        assert table.cost(subnet) == count_subnet(alg.architecture,
                                                  alg.mutator, subnet, SMALL)
    c = table.candidate_cost('backbone.layers.0.0', 'shuffle_7x7')
    assert c['params'] > 0 and c['flops'] > 0
    with pytest.raises(SearchSpaceError, match='missing'):
        table.cost(dict(list(subnets[0].items())[1:]))


def test_cost_table_alias_and_cache(tmp_path):
    net, mutator = tiny()
    shape = (1, 3, 8, 8)
    table = CostTable(shape, cache_dir=str(tmp_path)).bind(net, mutator)
    assert table.decisions == ['a', 'b']
    # the alias decision counts both of its layers
    k3 = 2 * (4 * 4 * 9 * 64)
    assert table.candidate_cost('a', 'k3') == dict(
        params=2 * (4 * 4 * 9 + 4), flops=k3)
    for choices in [dict(a='k1', b='k3'), dict(a='k3', b='k1')]:
        assert table.cost(choices) == count_subnet(net, mutator, choices,
                                                   shape)
    files = list(tmp_path.iterdir())
    assert len(files) == 1

    # hit: the same space and shape is read back, not recounted
    def no_count(*args):
        raise AssertionError('recounted a cached table')

    orig = CostTable._count
    CostTable._count = no_count
    try:
        again = CostTable(shape, cache_dir=str(tmp_path)).bind(net, mutator)
    finally:
        CostTable._count = orig
    assert again.cost(dict(a='k3', b='k3')) == table.cost(dict(a='k3', b='k3'))
    # miss: another input shape, another space
    CostTable((1, 3, 16, 16), cache_dir=str(tmp_path)).bind(net, mutator)
    net2, mutator2 = tiny(kernels=(1, 3, 5))
    CostTable(shape, cache_dir=str(tmp_path)).bind(net2, mutator2)
    assert len(list(tmp_path.iterdir())) == 3
    # corrupt: warned about, rebuilt, rewritten
    files[0].write_text('{"format": "mmnas-cost-table", "vers')
    with pytest.warns(UserWarning, match='rebuilding'):
        rebuilt = CostTable(shape, cache_dir=str(tmp_path)).bind(net, mutator)
    assert rebuilt.to_dict() == table.to_dict()
    assert json.loads(files[0].read_text()) == table.to_dict()


def test_cost_table_nested_decisions_are_exact(tmp_path):
    """A decision inside a candidate (as channel search inside block
    search): entries per (outer choice, inner choice)."""
    net, _ = tiny()
    net.b = OneShotMutableOP(
        dict(
            k5=conv(4, 4, 5),
            mixed=OneShotMutableOP(
                dict(k1=conv(4, 4, 1), k3=conv(4, 4, 3)), alias='inner')))
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    shape = (1, 3, 8, 8)
    table = CostTable(shape, cache_dir=str(tmp_path)).bind(net, mutator)
    assert table.decisions == ['a', 'b', 'inner']
    combos = [
        dict(a=a, b=b, inner=i) for a in ('k1', 'k3') for b in ('k5', 'mixed')
        for i in ('k1', 'k3')
    ]
    costs = [count_subnet(net, mutator, c, shape) for c in combos]
    assert [table.cost(c) for c in combos] == costs
    # read back from the cache file, it still sums the same
    again = CostTable(shape, cache_dir=str(tmp_path)).bind(net, mutator)
    assert [again.cost(c) for c in combos] == costs
    assert table.bounds()['flops'] == (min(c['flops'] for c in costs),
                                       max(c['flops'] for c in costs))
    with pytest.raises(CostTableError, match='nested'):
        table.candidate_cost('b', 'mixed')
    with pytest.raises(SearchSpaceError, match="missing mutable 'inner'"):
        table.cost(dict(a='k1', b='k5', other='k1'))
    assert table.candidate_cost('b', 'k5')['params'] == 4 * 4 * 25 + 4


def test_cost_table_refuses_non_additive_space():
    net, mutator = tiny()
    # layer b's input width now depends on the choice of decision a
    net.a2 = OneShotMutableOP(
        dict(k1=conv(4, 4, 1), k3=conv(4, 8, 3)), alias='a')
    net.b = OneShotMutableOP(dict(k1=nn.Identity(), k3=nn.Identity()))
    net.fc = nn.Identity()
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    with pytest.raises(CostTableError, match='not additive'):
        CostTable((1, 3, 8, 8), cache=False).bind(net, mutator)


# LatencyTable -------------------------------------------------------------
def test_latency_table_roundtrip_and_space_check(tmp_path):
    net, mutator = tiny()
    table = LatencyTable.build(net, mutator, (1, 3, 8, 8), repeat=3, warmup=1)
    path = table.save(str(tmp_path / 'lut.json'))
    loaded = LatencyTable(table=path).bind(net, mutator)
    choices = dict(a='k3', b='k1')
    assert loaded.cost(choices)['latency'] == pytest.approx(
        table.fixed['latency'] + table.candidate_cost('a', 'k3')['latency'] +
        table.candidate_cost('b', 'k1')['latency'])
    low, high = loaded.bounds()['latency']
    assert low <= loaded.cost(choices)['latency'] <= high
    assert loaded.device['device'] == 'cpu'
    assert loaded.device['torch'] == torch.__version__
    _, other = tiny(kernels=(1, 3, 5))
    with pytest.raises(LatencyTableError, match='another search space'):
        LatencyTable(table=path).bind(net, other)
    with pytest.raises(LatencyTableError, match='missing'):
        loaded.cost(dict(a='k3'))
    with pytest.raises(LatencyTableError, match='clock'):
        LatencyTable.build(net, mutator, (1, 3, 8, 8), clock='sundial')
    (tmp_path / 'bad.json').write_text('[1, 2')
    with pytest.raises(LatencyTableError, match='not an mmnas latency'):
        LatencyTable(table=str(tmp_path / 'bad.json')).fixed


# tools/analysis/get_flops.py ----------------------------------------------
def test_get_flops_json(tmp_path, run_in_process):
    subnet = dump_subnet(mmrazor_spos_subnet(), str(tmp_path / 's.yaml'))
    out = run_tool([
        'tools/analysis/get_flops.py', SPOS_IN1K, '--subnet', subnet,
        '--shape', '32', '32', '--json'
    ])
    cost = json.loads(out.stdout.strip().splitlines()[-1])
    assert cost['params'] == 3_353_592 and cost['flops'] > 0

    bad = dump_subnet(
        dict(mmrazor_spos_subnet(), **{'backbone.layers.3.3': 'shuffle_9x9'}),
        str(tmp_path / 'bad.yaml'))
    for argv, expected in [([SPOS_IN1K, '--subnet', bad], 'shuffle_9x9'),
                           ([SPOS_IN1K], '--subnet')]:
        code, err = run_in_process('analysis/get_flops.py', argv + ['--json'])
        assert code == 2
        assert err.startswith('error: ') and expected in err


def test_get_flops_conventions(run_in_process):
    """``--convention fvcore`` reproduces an fvcore default count (conv +
    linear + BatchNorm + pooling) of DenseNAS-A, the default counts MACs."""
    cfg = f'{ROOT}/configs/nas/densenas/densenas_a_8xb128_in1k.py'
    counts = {}
    for convention in ('macs', 'fvcore'):
        code, out = run_in_process('analysis/get_flops.py',
                                   [cfg, '--convention', convention, '--json'])
        assert code == 0, out
        counts[convention] = json.loads(out.strip().splitlines()[-1])
    assert counts['macs'] == dict(params=4_767_920, flops=251_334_416)
    assert counts['fvcore']['params'] == 4_767_920
    assert round(counts['fvcore']['flops'] / 1e5) == 2588
