"""The PONAS accuracy table (mmnas/structures/ponas_table.py): its file
format, and the exact deployment checked by brute force; the loop that
writes it is tested in test_models/test_algorithms/test_ponas.py."""
import itertools
import json
import random

import pytest

from mmnas.structures.ponas_table import (ConstraintError, PONASDeployer,
                                          PONASTableError, load_table,
                                          parse_constraints)


def _random_table(rng, num_layers=5, num_choices=4, latency=False):
    layers = [f'backbone.layers.{i}' for i in range(num_layers)]
    choices = [f'c{j}' for j in range(num_choices)]
    scores, costs = {}, {}
    for layer in layers:
        scores[layer] = {c: rng.randint(0, 40) * 0.25 + 50 for c in choices}
        costs[layer] = {}
        for c in choices:
            costs[layer][c] = dict(
                params=rng.randint(1, 60), flops=rng.randint(1, 100))
            if latency:
                costs[layer][c]['latency'] = rng.randint(1, 30) / 8
    fixed = dict(params=7, flops=11)
    if latency:
        fixed['latency'] = 0.5
    decided = {
        layer: max(scores[layer], key=scores[layer].get)
        for layer in layers
    }
    return dict(
        format='mmnas-ponas-table',
        version=1,
        complete=True,
        search_space={
            layer:
            dict(type='OneShotMutableOP', choices=choices, modules=[layer])
            for layer in layers
        },
        layers=layers,
        score_key='accuracy/top1',
        scores=scores,
        decided=decided,
        costs=dict(input_shape=[1, 3, 32, 32], fixed=fixed, candidates=costs),
        settings={})


def _brute_force(table, budgets):
    dep = PONASDeployer(table)
    best = None
    for combo in itertools.product(*dep.choices):
        r = dep.describe(combo)
        if all(r['cost'][m] <= b for m, b in budgets.items()):
            if best is None or r['score'] > best['score']:
                best = r
    return best


@pytest.mark.parametrize('seed', range(6))
def test_deploy_matches_brute_force(seed):
    rng = random.Random(seed)
    table = _random_table(rng, latency=seed % 2 == 0)
    dep = PONASDeployer(table)
    lo = {m: dep.smallest(m) for m in dep.metrics}
    hi = {
        m: dep.describe([cs[-1] for cs in dep.choices])['cost'][m] * 2
        for m in dep.metrics
    }
    cases = []
    for _ in range(8):
        metrics = rng.sample(dep.metrics, rng.randint(1, len(dep.metrics)))
        cases.append({m: rng.uniform(lo[m], hi[m]) for m in metrics})
    cases.append({'flops': lo['flops']})  # exactly the cheapest
    for budgets in cases:
        expected = _brute_force(table, budgets)
        if expected is None:
            with pytest.raises(ConstraintError, match='no architecture'):
                dep.deploy(budgets)
            continue
        got = dep.deploy(budgets)
        assert got['score'] == pytest.approx(expected['score'], abs=1e-9)
        assert all(got['cost'][m] <= b for m, b in budgets.items())
        assert dep.describe(list(got['choices'].values())) == got


def test_deploy_impossible_and_unknown_constraint():
    table = _random_table(random.Random(0))
    dep = PONASDeployer(table)
    smallest = dep.smallest('flops')
    with pytest.raises(ConstraintError) as e:
        dep.deploy({'flops': smallest - 1})
    assert f'smallest achievable is {smallest}' in str(e.value)
    with pytest.raises(ConstraintError, match='latency'):
        dep.deploy({'latency': 3.0})


def test_latency_from_latency_table():
    from collections import OrderedDict

    from mmnas.estimators import LatencyTable
    from mmnas.structures.ponas_table import add_costs
    rng = random.Random(5)
    table = _random_table(rng)
    entries = OrderedDict(
        (layer, {c: rng.randint(1, 30) / 8
                 for c in cs['choices']})
        for layer, cs in table['search_space'].items())
    lut = LatencyTable()._fill(0.5, entries, table['search_space'], {},
                               (1, 3, 8, 8), 1, 0)
    with_latency = add_costs(table, lut)
    assert 'latency' not in table['costs']['fixed']
    dep = PONASDeployer(with_latency)
    assert 'latency' in dep.metrics
    for budget in (dep.smallest('latency'), dep.smallest('latency') + 4):
        got = dep.deploy({'latency': budget})
        assert lut.cost(got['choices'])['latency'] <= budget
        assert got['score'] == pytest.approx(
            _brute_force(with_latency, {'latency': budget})['score'])


def test_parse_constraints():
    assert parse_constraints(['flops=320M', 'params=5.0M,latency=12']) == \
        dict(flops=320e6, params=5e6, latency=12.0)
    for bad in (['flops'], ['flops=abc'], ['flops=3X'], ['flops=-1'], []):
        with pytest.raises(ConstraintError):
            parse_constraints(bad)


def test_deploy_tool(tmp_path, run_in_process):
    from mmnas.structures import load_subnet
    table = _random_table(random.Random(3))
    path = tmp_path / 'ponas_table.json'
    path.write_text(json.dumps(table))
    out = tmp_path / 'sub.yaml'
    code, text = run_in_process(
        'ponas_deploy.py',
        [str(path), '--constraint', 'flops=200', '--out',
         str(out), '--json'])
    assert code == 0, text
    result = json.loads(text)
    assert load_subnet(str(out)) == result['choices']
    assert result['cost']['flops'] <= 200
    code, err = run_in_process('ponas_deploy.py',
                               [str(path), '--constraint', 'flops=1'])
    assert code == 2
    assert err.startswith('error: ') and 'smallest achievable' in err


def test_table_file_errors(tmp_path):
    table = _random_table(random.Random(1))
    cases = {
        'not_json':
        'not json',
        'other':
        json.dumps(dict(format='something-else')),
        'version':
        json.dumps(dict(table, version=99)),
        'incomplete':
        json.dumps(
            dict(
                table,
                scores={
                    table['layers'][0]: table['scores'][table['layers'][0]]
                })),
        'damaged':
        json.dumps(dict(table, costs=dict(fixed={}))),
    }
    for name, text in cases.items():
        p = tmp_path / f'{name}.json'
        p.write_text(text)
        with pytest.raises(PONASTableError):
            load_table(str(p))
