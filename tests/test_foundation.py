"""Registries, mutables, mutator, the ShuffleNetV2 space and SPOS training
steps (foundation issue)."""
import glob
import json
import os.path as osp

import pytest
import torch
import torch.nn as nn
from conftest import ROOT
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from mmnas.estimators import count_static
from mmnas.models import (BaseMutable, NasMutator, OneShotMutableOP,
                          SearchSpaceError)
from mmnas.registry import DATASETS, METRICS, MODELS, TRANSFORMS
from mmnas.structures import dump_subnet
from mmnas.utils import register_all_modules

register_all_modules()

DIGITS_CFG = osp.join(
    ROOT, 'configs/nas/spos/'
    'spos_shufflenet_supernet_1xb64_digits.py')
IN1K_CFG = osp.join(
    ROOT, 'configs/nas/spos/'
    'spos_shufflenet_supernet_8xb128_in1k.py')
SHUFFLE_CHOICES = [
    'shuffle_3x3', 'shuffle_5x5', 'shuffle_7x7', 'shuffle_xception'
]


def digits_spos():
    return MODELS.build(Config.fromfile(DIGITS_CFG).model)


def op(names=('a', 'b', 'c'), alias=None):
    return OneShotMutableOP({n: nn.Conv2d(2, 2, 1)
                             for n in names},
                            alias=alias)


# -- registries --


def test_mmcls_components_build_from_mmnas_scope():
    head = MODELS.build(
        dict(type='LinearClsHead', num_classes=3, in_channels=4))
    assert head.fc.out_features == 3
    assert MODELS.get('ImageClassifier') is not None
    assert DATASETS.get('CustomDataset') is not None
    assert TRANSFORMS.get('PackClsInputs') is not None
    assert METRICS.get('Accuracy') is not None


@pytest.fixture(scope='module')
def densenas_net_config(tmp_path_factory):
    """The net_config.txt a digits DenseNAS search derives (from a freshly
    built one), with the search's exact cost of it."""
    torch.manual_seed(0)
    algo = MODELS.build(
        Config.fromfile(
            osp.join(
                ROOT, 'configs/nas/densenas/'
                'densenas_mbv2_search_1xb32_digits.py')).model)
    choices, net_config = algo.derive()
    path = tmp_path_factory.mktemp('densenas') / 'net_config.txt'
    path.write_text(net_config + '\n')
    cost = {}
    for metric in ('params', 'flops'):
        algo.cost_cfg['metric'] = metric
        algo._table = None
        cost[metric] = float(algo.cost_of(choices))
    return str(path), cost


def step_outputs(cfg, tmp_path, densenas_net_config):
    """Set every file ``cfg.written_by`` names to one made here: a sampled
    subnet of the config's space, a checkpoint of its supernet, the
    derived DenseNAS net_config."""
    for key in cfg.get('written_by', {}):
        if key == 'model.subnet':
            supernet = MODELS.build(cfg.model.architecture)
            mutator = NasMutator()
            mutator.prepare_from_supernet(supernet)
            cfg.model.subnet = dump_subnet(mutator.sample_choices(),
                                           str(tmp_path / 'subnet.yaml'))
        elif key == 'model.supernet_checkpoint':
            path = str(tmp_path / 'supernet.pth')
            torch.save(
                {
                    'state_dict': MODELS.build(
                        cfg.model.architecture).state_dict()
                }, path)
            cfg.model.supernet_checkpoint = path
        elif key == 'model.backbone.net_config':
            cfg.model.backbone.net_config = densenas_net_config[0]
        else:
            raise AssertionError(f'no fixture makes {key}')


@pytest.mark.parametrize(
    'path',
    sorted(glob.glob(osp.join(ROOT, 'configs/nas/**/*.py'), recursive=True)))
def test_every_config_builds_its_model(path, digits_root, tmp_path,
                                       densenas_net_config):
    """Every shipped config reads and its model builds (this covers every
    registered component a config uses). What an earlier step writes comes
    from ``step_outputs``; a DenseNAS retrain net is exactly the net the
    search derived."""
    cfg = Config.fromfile(path)
    step_outputs(cfg, tmp_path, densenas_net_config)
    model = MODELS.build(cfg.model)
    params = sum(p.numel() for p in model.parameters())
    assert params > 0
    if 'model.backbone.net_config' in cfg.get('written_by', {}):
        cost = densenas_net_config[1]
        assert params == cost['params']
        assert count_static(model, (1, 3, 32, 32)) == cost
        model.eval()
        with torch.no_grad():
            out = model(torch.zeros(2, 3, 32, 32), mode='tensor')
        assert out.shape == (2, 10)


def test_in1k_supernet_matches_spos_param_count():
    model = MODELS.build(Config.fromfile(IN1K_CFG).model)
    # MMRazor 1.0 counts the same supernet at 8,488,600 parameters
    assert sum(p.numel() for p in model.parameters()) == 8_488_600
    assert len(model.mutator.search_groups) == 20


# -- mutables --


def test_one_shot_op_choices_sampling_and_fixing():
    m = op()
    assert m.choices == ['a', 'b', 'c'] and m.current_choice == 'a'
    assert {m.sample_choice() for _ in range(60)} == {'a', 'b', 'c'}
    with pytest.raises(ValueError, match="unknown choice 'z'"):
        m.current_choice = 'z'
    kept = m.candidates['b']
    m.fix_chosen('b')
    assert m.is_fixed and m.choices == ['b']
    assert list(m.candidates.keys()) == ['b'] and m.export() is kept
    with pytest.raises(RuntimeError, match='fixed'):
        m.current_choice = 'a'


def test_one_shot_op_runs_only_the_current_candidate():
    calls = []
    cands = {}
    for n in 'ab':
        c = nn.Identity()
        c.register_forward_hook(lambda mod, i, o, n=n: calls.append(n))
        cands[n] = c
    m = OneShotMutableOP(cands)
    m.current_choice = 'b'
    m(torch.zeros(1))
    assert calls == ['b']


def test_alias_shares_one_decision():
    net = nn.Sequential(op(alias='k'), op(alias='k'), op())
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    assert list(mutator.search_groups) == ['k', '2']
    assert mutator.group_members('k') == ['0', '1']
    mutator.set_choices({'k': 'c', '2': 'b'})
    assert [m.current_choice for m in net] == ['c', 'c', 'b']
    for _ in range(10):
        mutator.set_choices(mutator.sample_choices())
        assert net[0].current_choice == net[1].current_choice


def test_alias_with_disagreeing_choices_is_an_error():
    net = nn.Sequential(op(alias='k'), op(('a', 'b'), alias='k'))
    with pytest.raises(SearchSpaceError, match="alias 'k'.*identical"):
        NasMutator().prepare_from_supernet(net)


def test_mutator_names_every_bad_entry():
    net = nn.Sequential(op(), op())
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    with pytest.raises(SearchSpaceError) as e:
        mutator.set_choices({'0': 'zz', 'nope': 'a'})
    msg = str(e.value)
    assert "'0': unknown choice 'zz'" in msg
    assert "unknown mutable 'nope'" in msg
    assert "missing mutable '1'" in msg


def test_mutator_discovers_spos_space_and_describes_it():
    model = digits_spos()
    space = model.mutator.search_space()
    assert len(space) == 20
    assert list(space)[0] == 'backbone.layers.0.0'
    assert all(v['choices'] == SHUFFLE_CHOICES for v in space.values())
    json.dumps(space)  # serialisable
    assert all(isinstance(m, BaseMutable) for m in model.mutator.mutables)


@pytest.mark.parametrize('choice', SHUFFLE_CHOICES)
def test_supernet_forward_for_every_choice(choice):
    model = digits_spos().eval()
    model.mutator.set_choices({k: choice for k in model.mutator.search_groups})
    out = model(torch.randn(2, 3, 32, 32), mode='tensor')
    assert out.shape == (2, 10) and torch.isfinite(out).all()


def test_spos_step_changes_only_the_sampled_path():
    torch.manual_seed(0)
    model = digits_spos()
    model.init_weights()
    model.train()
    optim = OptimWrapper(
        torch.optim.SGD(
            model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    data = dict(
        inputs=[
            torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8)
            for _ in range(4)
        ],
        data_samples=None)
    from mmcls.structures import ClsDataSample
    data['data_samples'] = [ClsDataSample().set_gt_label(i) for i in range(4)]
    model.train_step(data, optim)
    chosen = model.mutator.current_choices
    changed = {
        k
        for k, v in model.state_dict().items()
        if not torch.equal(v, before[k])
    }
    for name, choice in chosen.items():
        prefix = f'architecture.{name}._candidates.'
        for cand in SHUFFLE_CHOICES:
            touched = any(k.startswith(prefix + cand + '.') for k in changed)
            assert touched == (cand == choice), (name, cand, choice)
    assert any(k.startswith('architecture.head.') for k in changed)
