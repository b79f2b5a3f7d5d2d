"""One SPOS training step."""
import os.path as osp

import torch
from conftest import ROOT
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from mmnas import register_all_modules
from mmnas.registry import MODELS

register_all_modules()

DIGITS_CFG = osp.join(
    ROOT, 'configs/nas/spos/'
    'spos_shufflenet_supernet_1xb64_digits.py')
SHUFFLE_CHOICES = [
    'shuffle_3x3', 'shuffle_5x5', 'shuffle_7x7', 'shuffle_xception'
]


def digits_spos():
    return MODELS.build(Config.fromfile(DIGITS_CFG).model)


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
