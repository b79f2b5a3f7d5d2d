"""PONAS: search space, released architectures and the accuracy-table loop
(on the digits data); the table format and the deployment are tested in
test_structures/test_ponas_table.py."""
import copy
import json
import os.path as osp

import pytest
import torch
from conftest import ROOT

from mmnas import register_all_modules
from mmnas.estimators import CostTable, count_static
from mmnas.registry import MODELS
from mmnas.structures.ponas_table import PONASDeployer, load_table
from mmnas.utils.config import load_config

CFG = osp.join(ROOT, 'configs/nas/ponas')

register_all_modules()

# -- search space and released networks --


def test_released_ponas_a_counts():
    """The reference's independent count of PONAS-A (all params, conv
    MACs); count_static adds the classifier's 1280x1000 MACs. (B and C:
    docs/algorithms/ponas.md, by tools/analysis/get_flops.py.)"""
    params, conv_macs = 5104022, 327627360
    cfg = load_config(osp.join(CFG, 'ponas_a_subnet_8xb128_in1k.py'))
    model = MODELS.build(cfg.model)
    cost = count_static(model, (1, 3, 224, 224))
    assert cost['params'] == params
    assert cost['flops'] == conv_macs + 1280 * 1000


def test_space_candidates_and_se_width():
    from mmnas.models.architectures.ponas import SearchablePONAS
    net = SearchablePONAS()
    assert len(net.layers) == 19
    layer = net.layers[0]
    assert len(layer.choices) == 12 and 'k5_e6_se' in layer.choices
    se = layer.candidates['k3_e3_se'].se  # 16 -> 48 expanded channels
    assert se.conv1.conv.out_channels == 12
    small = SearchablePONAS(widen_factor=0.25).layers[0]
    # 8 * 3 = 24 expanded channels: 24 // 4 = 6 is raised to 8
    assert small.candidates['k3_e3_se'].se.conv1.conv.out_channels == 8
    with pytest.raises(ValueError, match='unknown PONAS candidates'):
        SearchablePONAS(candidates=['k9_e3'])


# -- the table loop on digits --


def _table_cfg(work_dir, **loop):
    cfg = load_config(osp.join(CFG, 'ponas_table_1xb64_digits.py'))
    backbone = cfg.model.architecture.backbone
    backbone.arch_setting = [[32, 1, 2], [40, 2, 2]]
    backbone.candidates = ['k3_e3', 'k5_e3', 'k3_e3_se']
    cfg.train_cfg.update(dict(finetune_iters=3, eval_batches=1), **loop)
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.train_cfg.eval_dataloader.num_workers = 0
    cfg.train_cfg.eval_dataloader.persistent_workers = False
    cfg.work_dir = str(work_dir)
    cfg.default_hooks.logger.interval = 1
    return cfg


def test_table_loop_digits(digits_root, tmp_path):
    from mmengine.runner import Runner
    torch.manual_seed(0)
    cfg = _table_cfg(tmp_path)
    runner = Runner.from_cfg(copy.deepcopy(cfg))
    runner.train()
    table = load_table(str(tmp_path / 'ponas_table.json'))
    assert table['complete'] and len(table['layers']) == 3
    assert table['settings']['finetune_iters'] == 3
    model = runner.model
    costs = CostTable((1, 3, 32, 32)).bind(model.architecture, model.mutator)
    for layer in table['layers']:
        row = table['scores'][layer]
        assert set(row) == {'k3_e3', 'k5_e3', 'k3_e3_se'}
        assert all(0 <= v <= 100 for v in row.values())
        assert table['decided'][layer] == max(row, key=row.get)
        for c in row:
            assert table['costs']['candidates'][layer][c] == \
                costs.candidate_cost(layer, c)
    assert table['costs']['fixed'] == costs.fixed
    # its one scoring batch is a seeded sample of the class-sorted
    # validation folder (unshuffled, its 64 images hold 4 classes)
    (_, batch), = list(runner.train_loop._eval_data)
    labels = {int(s.gt_label.label) for s in batch['data_samples']}
    assert len(labels) >= 6, labels
    # the table's cost model is exact for the deployed network
    dep = PONASDeployer(table)
    result = dep.deploy({'flops': 1e12})
    assert result['cost'] == costs.cost(result['choices'])


# 3 layers of 3 candidates, 3 fine-tuning steps each on 160 images at batch
# 32 (5 a pass), one scoring batch; no workers (see EpochSeedHook)
TINY_TABLE = """_base_ = ['{cfg}/ponas_table_1xb64_digits.py']
model = dict(architecture=dict(backbone=dict(
    arch_setting=[[32, 1, 2], [40, 2, 2]],
    candidates=['k3_e3', 'k5_e3', 'k3_e3_se'])))
train_dataloader = dict(batch_size=32, num_workers=0,
                        persistent_workers=False, dataset=dict(indices=160))
train_cfg = dict(finetune_iters=3, eval_batches=1, log_interval=1,
                 eval_dataloader=dict(batch_size=64, num_workers=0,
                                      persistent_workers=False))
load_from = '{supernet}'
"""


def test_table_killed_twice_resumes_to_the_same_table(digits_root, tmp_path):
    """Killed in the first layer (``--resume`` drops load_from: the state
    written at the start holds the supernet) and in the second (the
    fine-tuning data and random generators continue where they were)."""
    from conftest import run_and_kill, run_tool
    cfg = tmp_path / 'tiny_table.py'
    cfg.write_text(TINY_TABLE.format(cfg=CFG, supernet=tmp_path / 'sn.pth'))
    torch.manual_seed(1)
    model = MODELS.build(load_config(str(cfg)).model)
    torch.save({'state_dict': model.state_dict()}, str(tmp_path / 'sn.pth'))
    whole, killed = tmp_path / 'whole', tmp_path / 'killed'
    run_tool(['tools/train.py', str(cfg), '--work-dir', str(whole)])

    def finetuned_steps():
        logs = sorted(killed.glob('*/*.log'))
        return logs[-1].read_text().count('PONAS fine-tune') if logs else 0

    args = ['tools/train.py', str(cfg), '--work-dir', str(killed)]
    run_and_kill(args, lambda: finetuned_steps() >= 1)
    assert not json.loads((killed / 'ponas_table.json').read_text())['scores']
    run_and_kill(args + ['--resume'], lambda: finetuned_steps() >= 4)
    assert len(
        json.loads((killed / 'ponas_table.json').read_text())['scores']) == 1
    run_tool(args + ['--resume'])

    assert json.loads((killed / 'ponas_table.json').read_text()) == \
        json.loads((whole / 'ponas_table.json').read_text())
    ours, ref = (
        torch.load(str(d / 'ponas_table_state.pth'), weights_only=False)
        for d in (killed, whole))
    assert ours['iter'] == ref['iter'] == 9
    differ = [
        k for k in ref['state_dict']
        if not torch.equal(ref['state_dict'][k], ours['state_dict'][k])
    ]
    assert not differ, f'{len(differ)} tensors differ, e.g. {differ[:3]}'


def test_table_loop_refuses_corrupt_state(digits_root, tmp_path):
    from mmengine.runner import Runner

    from mmnas.utils import UserError
    (tmp_path / 'ponas_table_state.pth').write_bytes(b'garbage')
    cfg = _table_cfg(tmp_path)
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    with pytest.raises(UserError, match='not a readable PONAS table state'):
        runner.train()
