"""Subnet files in MMRazor's format: read, validated, written."""
import os.path as osp

from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.registry import MODELS
from mmnas.structures import dump_subnet, load_subnet

register_all_modules()
SPOS = 'configs/nas/spos/'


def test_mmrazor_subnet_file_loads_unchanged_and_round_trips(tmp_path):
    cfg = Config.fromfile(
        osp.join(ROOT, SPOS + 'spos_shufflenet_supernet_8xb128_in1k.py'))
    model = MODELS.build(cfg.model)
    subnet = load_subnet(osp.join(ROOT, SPOS + 'SPOS_SUBNET.yaml'))
    model.mutator.validate_choices(subnet)
    assert subnet['backbone.layers.1.0'] == 'shuffle_xception'
    for ext in ('yaml', 'json'):
        path = dump_subnet(subnet, str(tmp_path / f'subnet.{ext}'))
        assert load_subnet(path) == subnet
