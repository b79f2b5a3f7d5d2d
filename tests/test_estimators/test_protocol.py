"""The estimator protocol: estimators are chosen in configs by type, the
code that uses them never names a concrete one, and a new kind of cost is
one registered class."""
import ast
import glob
import os.path as osp

import pytest
import torch.nn as nn
from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import (BaseEstimator, CostTable, Estimators,
                              build_estimator)
from mmnas.models import NasMutator, OneShotMutableOP
from mmnas.registry import MODELS, TASK_UTILS
from mmnas.utils import UserError

register_all_modules()
CONCRETE = {'CostTable', 'LatencyTable', 'count_subnet', 'count_static'}
USERS = ('engine/loops/evolution_search_loop.py', 'engine/loops/'
         'ponas_table_loop.py', 'models/algorithms/dsnas.py',
         'models/algorithms/densenas.py', 'structures/ponas_table.py')


def imported_names(path):
    names = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.ImportFrom):
            names.update((node.module or '', a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            names.update((a.name, '') for a in node.names)
    return names


def test_users_name_no_concrete_estimator():
    for rel in USERS:
        path = osp.join(ROOT, 'mmnas', rel)
        found = {n for _, n in imported_names(path)} & CONCRETE
        assert not found, f'{rel} imports {sorted(found)}'
        assert not any(
            m.startswith('mmnas.estimators.')
            for m, _ in imported_names(path)), rel
        assert 'CostTable' not in open(path).read().replace(
            "type='CostTable'", '')


def test_estimators_import_no_algorithm_or_loop():
    for path in glob.glob(osp.join(ROOT, 'mmnas', 'estimators', '*.py')):
        for module, _ in imported_names(path):
            assert not module.startswith(
                ('mmnas.models.algorithms', 'mmnas.engine')), (path, module)


def test_every_cost_using_config_selects_its_estimator_by_type():
    users = ('EvolutionSearchLoop', 'PONASTableLoop', 'DSNAS', 'DenseNAS')
    seen = set()
    for path in glob.glob(osp.join(ROOT, 'configs', 'nas', '*', '*.py')):
        cfg = Config.fromfile(path)
        for part in (cfg.get('model', {}), cfg.get('train_cfg', {})):
            if part.get('type') in users:
                seen.add(part['type'])
                est = part.get('estimator')
                ests = est if isinstance(est, list) else [est]
                assert ests and all(TASK_UTILS.get(e['type'])
                                    for e in ests), path
    assert seen == set(users)


class Ones(BaseEstimator):
    """A new kind of cost: one unit per decision (a stand-in for, e.g.,
    BitOps)."""
    units = dict(ones=1.)

    def bind(self, architecture, mutator):
        self.decisions = list(mutator.search_groups)
        return self

    @property
    def fixed(self):
        return dict(ones=0.)

    def candidate_cost(self, decision, choice):
        return dict(ones=1.)

    def cost(self, choices):
        return dict(ones=float(len(choices)))

    def bounds(self):
        return dict(ones=(len(self.decisions), len(self.decisions)))


def test_a_new_cost_is_one_registered_class(tmp_path):
    TASK_UTILS.register_module(module=Ones, force=True)
    net = nn.Sequential(
        OneShotMutableOP(
            dict(k1=nn.Conv2d(3, 4, 1), k3=nn.Conv2d(3, 4, 3, padding=1))))
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    both = build_estimator([
        dict(type='Ones'),
        dict(type='CostTable', input_shape=(1, 3, 8, 8), cache=False)
    ]).bind(net, mutator)
    assert isinstance(both, Estimators)
    choices = dict(mutator.sample_choices())
    cost = both.cost(choices)
    assert cost['ones'] == 1.
    assert cost['flops'] == CostTable(
        (1, 3, 8, 8), cache=False).bind(net, mutator).cost(choices)['flops']
    assert set(both.units) == {'ones', 'params', 'flops'}
    assert both.in_units(dict(flops=2e6))['flops'] == 2.


def test_cost_settings_outside_the_estimator_are_one_error():
    cfg = Config.fromfile(
        osp.join(
            ROOT, 'configs/nas/dsnas/'
            'dsnas_shufflenet_supernet_1xb64_digits.py')).model
    cfg.input_shape = (1, 3, 32, 32)
    with pytest.raises(UserError, match='estimator settings'):
        MODELS.build(cfg)
    with pytest.raises(UserError, match='convention'):
        CostTable(convention='flops')
