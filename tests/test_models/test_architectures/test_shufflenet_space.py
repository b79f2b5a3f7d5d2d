"""The SPOS ShuffleNetV2 search space."""
import os.path as osp

import pytest
import torch
from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.registry import MODELS

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


def test_in1k_supernet_matches_spos_param_count():
    model = MODELS.build(Config.fromfile(IN1K_CFG).model)
    # MMRazor 1.0 counts the same supernet at 8,488,600 parameters
    assert sum(p.numel() for p in model.parameters()) == 8_488_600
    assert len(model.mutator.search_groups) == 20


@pytest.mark.parametrize('choice', SHUFFLE_CHOICES)
def test_supernet_forward_for_every_choice(choice):
    model = digits_spos().eval()
    model.mutator.set_choices({k: choice for k in model.mutator.search_groups})
    out = model(torch.randn(2, 3, 32, 32), mode='tensor')
    assert out.shape == (2, 10) and torch.isfinite(out).all()
