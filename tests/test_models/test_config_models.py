"""The registries, and the model of every shipped config."""
import glob
import os.path as osp

import pytest
import torch
from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import count_static
from mmnas.models import NasMutator
from mmnas.registry import DATASETS, METRICS, MODELS, TRANSFORMS
from mmnas.structures import dump_subnet

register_all_modules()


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
