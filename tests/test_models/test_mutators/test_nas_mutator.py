"""NasMutator: finding a space, describing it, checking subnets."""
import json
import os.path as osp

import pytest
import torch.nn as nn
from conftest import ROOT
from mmengine.config import Config

from mmnas import register_all_modules
from mmnas.models import (BaseMutable, NasMutator, OneShotMutableOP,
                          SearchSpaceError)
from mmnas.registry import MODELS

register_all_modules()

DIGITS_CFG = osp.join(
    ROOT, 'configs/nas/spos/'
    'spos_shufflenet_supernet_1xb64_digits.py')
SHUFFLE_CHOICES = [
    'shuffle_3x3', 'shuffle_5x5', 'shuffle_7x7', 'shuffle_xception'
]


def op(names=('a', 'b', 'c'), alias=None):
    return OneShotMutableOP({n: nn.Conv2d(2, 2, 1)
                             for n in names},
                            alias=alias)


def digits_spos():
    return MODELS.build(Config.fromfile(DIGITS_CFG).model)


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
