"""MMRazor subnet files (0.x ``stage_i_block_j: {chosen: [c]}`` and 1.x
MobileNet ``backbone.layer{i+1}.{j}``) load wherever a subnet file does."""
import importlib.util
import os.path as osp

import pytest
import yaml
from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.estimators import count_subnet
from mmnas.models.mutators.nas_mutator import SearchSpaceError
from mmnas.registry import MODELS
from mmnas.structures import load_subnet

SPOS = osp.join(ROOT, 'configs', 'nas', 'spos')
ANGLENAS_0X = osp.join(ROOT, 'tests', 'data', 'mmrazor',
                       'SPOS_MOBILENET_490M_FROM_ANGELNAS_0x.yaml')
# MMRazor 0.x SPOS_SHUFFLENETV2_330M_IN1k_PAPER.yaml, stage by stage
PAPER_0X = [
    ['shuffle_7x7', 'shuffle_5x5', 'shuffle_3x3', 'shuffle_5x5'],
    ['shuffle_7x7', 'shuffle_3x3', 'shuffle_7x7', 'shuffle_3x3'],
    [
        'shuffle_7x7', 'shuffle_3x3', 'shuffle_7x7', 'shuffle_xception',
        'shuffle_3x3', 'shuffle_3x3', 'shuffle_3x3', 'shuffle_3x3'
    ],
    [
        'shuffle_xception', 'shuffle_7x7', 'shuffle_xception',
        'shuffle_xception'
    ],
]


def supernet(name):
    register_all_modules()
    return MODELS.build(Config.fromfile(osp.join(SPOS, name)).model)


@pytest.fixture(scope='module')
def mobilenet():
    return supernet('spos_mobilenet_supernet_8xb128_in1k.py')


def test_anglenas_0x_file_is_the_shipped_1x_subnet_and_counts_the_same(
        mobilenet):
    old = load_subnet(ANGLENAS_0X)
    new = load_subnet(osp.join(SPOS, 'SPOS_MOBILENET_490M_FROM_ANGELNAS.yaml'))
    assert list(old)[0] == 'stage_0_block_0'
    assert mobilenet.mutator.space_names(old) == new
    costs = [
        count_subnet(mobilenet.architecture, mobilenet.mutator, s,
                     (1, 3, 224, 224)) for s in (old, new)
    ]
    assert costs[0] == costs[1] == dict(params=5_936_776, flops=470_792_064)


def test_mmrazor_1x_mobilenet_names_load(mobilenet):
    new = load_subnet(osp.join(SPOS, 'SPOS_MOBILENET_490M_FROM_ANGELNAS.yaml'))
    named_as_mmrazor = {
        k.replace(f'layers.{k.split(".")[2]}.',
                  f'layer{int(k.split(".")[2]) + 1}.'): v
        for k, v in new.items()
    }
    assert 'backbone.layer1.0' in named_as_mmrazor
    mobilenet.mutator.set_choices(named_as_mmrazor)
    assert mobilenet.mutator.current_choices == new


def test_shufflenet_0x_paper_subnet_fixes_the_space(tmp_path):
    model = supernet('spos_shufflenet_supernet_8xb128_in1k.py')
    path = tmp_path / 'paper.yaml'
    path.write_text(
        yaml.safe_dump({
            f'stage_{i}_block_{j}': dict(chosen=[c])
            for i, stage in enumerate(PAPER_0X) for j, c in enumerate(stage)
        }))
    model.mutator.fix_choices(load_subnet(str(path)))
    assert model.mutator.current_choices['backbone.layers.3.0'] == \
        'shuffle_xception'


def test_a_0x_file_of_another_space_is_refused_naming_the_entries():
    model = supernet('spos_shufflenet_supernet_8xb128_in1k.py')
    with pytest.raises(SearchSpaceError) as e:
        model.mutator.fix_choices(load_subnet(ANGLENAS_0X))
    msg = str(e.value)
    assert ("unknown mutable 'stage_4_block_0' (MMRazor's name of "
            "'backbone.layers.4.0', which this space does not have)") in msg
    assert "'backbone.layers.0.0': unknown choice 'mb_k3e1'" in msg


def test_the_same_decision_named_twice_is_refused(mobilenet):
    with pytest.raises(SearchSpaceError, match='twice'):
        mobilenet.mutator.validate_choices(
            {
                'stage_1_block_0': 'mb_k3e3',
                'backbone.layers.1.0': 'mb_k3e3'
            },
            partial=True)


def test_show_subnet_reads_the_0x_file(tmp_path, monkeypatch):
    monkeypatch.setenv('MMNAS_CACHE_DIR', str(tmp_path))
    path = osp.join(ROOT, 'tools', 'analysis', 'show_subnet.py')
    spec = importlib.util.spec_from_file_location('show_subnet', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.show(
        ANGLENAS_0X,
        osp.join(SPOS, 'spos_mobilenet_supernet_8xb128_in1k.py'),
        shape=(32, 32))
    assert 'backbone.layers.6.0  mb_k5e6' in text
