"""The evolution search scores every candidate on the same batches: cached
or streamed, in one process or several, the scores are the same."""
import json
import os.path as osp
import random
import sys

import torch
import torch.nn as nn
from conftest import ROOT, run_tool

from mmnas import register_all_modules

register_all_modules()
SEARCH = 'configs/nas/spos/spos_shufflenet_search_1xb64_digits.py'


def small_search_cfg(work_dir, **loop):
    """The digits search on 128 calibration and 96 validation images,
    calibration not shuffled (so the old scoring reads the same batches)."""
    from mmnas.utils.config import load_config
    cfg = load_config(osp.join(ROOT, SEARCH))
    cfg.work_dir = str(work_dir)
    cfg.log_level = 'WARNING'
    cfg.randomness = dict(seed=0)
    cfg.train_cfg.update(
        max_epochs=1,
        num_candidates=3,
        top_k=1,
        num_mutation=0,
        num_crossover=0,
        calibrate_bn_iters=2,
        constraints_range=dict(flops=(0, 10)),
        **loop)
    val = cfg.train_cfg.dataloader
    val.update(num_workers=0, persistent_workers=False, batch_size=32)
    val.dataset.indices = 96
    cal = cfg.train_cfg.calibrate_dataloader
    cal.update(
        batch_size=64, sampler=dict(type='DefaultSampler', shuffle=False))
    cal.dataset.indices = 200
    return cfg


def old_score(loop, choices):
    """The scoring of the loop before batches were cached: BN reset and
    re-estimated with momentum=None over the streamed calibration batches,
    then ``val_step`` over the validation dataloader."""
    model = loop.model
    model.mutator.set_choices(choices)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        model.train()
        for i, data in enumerate(loop.calibrate_dataloader):
            if i >= loop.calibrate_bn_iters:
                break
            data = model.data_preprocessor(data, False)
            model.architecture(data['inputs'], mode='tensor')
        for m in bns:
            m.momentum = 0.1
        model.eval()
        for data in loop.dataloader:
            outputs = model.val_step(data)
            loop.evaluator.process(data_samples=outputs, data_batch=data)
    stats = {
        k: v.clone()
        for k, v in model.state_dict().items() if 'running' in k
    }
    return loop.score_of(
        loop.evaluator.evaluate(len(loop.dataloader.dataset))), stats


def build_loop(work_dir, **loop):
    from mmengine.runner import Runner
    torch.manual_seed(0)
    runner = Runner.from_cfg(small_search_cfg(work_dir, **loop))
    return runner.train_loop


def test_cached_streamed_and_old_scoring_agree(digits_root, tmp_path):
    cached = build_loop(tmp_path / 'cached')
    streamed = build_loop(tmp_path / 'streamed', data_cache_mb=0)
    streamed.model.load_state_dict(cached.model.state_dict())
    rng = random.Random(1)
    cands = [cached.model.mutator.sample_choices(rng) for _ in range(3)]
    for choices in cands:
        a = cached.score(choices)
        stats = {
            k: v.clone()
            for k, v in cached.model.state_dict().items() if 'running' in k
        }
        b = streamed.score(choices)
        assert a == b
        for k, v in streamed.model.state_dict().items():
            if 'running' in k:
                assert torch.equal(v, stats[k]), k
        old, old_stats = old_score(streamed, choices)
        assert a == old
        for k, v in old_stats.items():
            torch.testing.assert_close(stats[k], v, rtol=1e-5, atol=1e-6)
    assert cached._scoring['val'].cached
    assert cached._scoring['calib'].cached
    assert not streamed._scoring['val'].cached
    assert len(cached._scoring['calib']) == 2


def test_merged_passes_score_as_one_pass_per_batch(digits_root, tmp_path):
    merged = build_loop(tmp_path / 'merged')
    per_batch = build_loop(tmp_path / 'per_batch', eval_merge_mb=0)
    per_batch.model.load_state_dict(merged.model.state_dict())
    rng = random.Random(2)
    for _ in range(3):
        choices = merged.model.mutator.sample_choices(rng)
        assert merged.score_metrics(choices) == \
            per_batch.score_metrics(choices)
    # the three cached batches of 32 are one pass, kept as views of it
    (data, run), = merged._scoring['val'].passes(4 * 2**20)
    assert [index for index, _ in run] == [0, 1, 2]
    assert len(data['data_samples']) == 96
    storage = data['inputs'].untyped_storage().data_ptr()
    for _, part in run:
        assert part['inputs'].untyped_storage().data_ptr() == storage
    cache = merged._scoring['val'].cache
    assert len(cache) == 3
    assert all(a is b for a, (_, b) in zip(cache, run))
    assert [len(run)
            for _, run in per_batch._scoring['val'].passes(0)] == [1, 1, 1]


SEARCH_OPTS = [
    'randomness.seed=0', 'train_cfg.max_epochs=2',
    'train_cfg.num_candidates=3', 'train_cfg.top_k=2',
    'train_cfg.num_mutation=1', 'train_cfg.num_crossover=1',
    'train_cfg.calibrate_bn_iters=3',
    'train_cfg.calibrate_dataloader.batch_size=32',
    'train_cfg.dataloader.num_workers=0',
    'train_cfg.dataloader.persistent_workers=False',
    'train_cfg.constraints_range.flops=[0,10]'
]


def read_log(work):
    with open(osp.join(work, 'search_log.jsonl')) as f:
        return [json.loads(line) for line in f]


def test_two_process_search_gives_the_one_process_scores(
        digits_root, tmp_path):
    one, two = tmp_path / 'one', tmp_path / 'two'
    run_tool(
        ['tools/train.py', SEARCH, '--work-dir',
         str(one), '--cfg-options'] + SEARCH_OPTS)
    run_tool(
        [
            'tools/dist_train.sh', SEARCH, '2', '--work-dir',
            str(two), '--cfg-options'
        ] + SEARCH_OPTS,
        env=dict(PYTHON=sys.executable, PORT='29631'))
    a, b = read_log(one), read_log(two)
    assert len(a) == len(b) == 6  # the log is written once
    assert [e['choices'] for e in a] == [e['choices'] for e in b]
    assert [e['score'] for e in a] == [e['score'] for e in b]
    assert len({e['score'] for e in a}) > 1
    with open(one / 'search_state.json') as f1, \
            open(two / 'search_state.json') as f2:
        s1, s2 = json.load(f1), json.load(f2)
    assert s1['top'] == s2['top'] and s1['history'] == s2['history']


TINY_TABLE = """_base_ = ['{cfg}/ponas_table_1xb64_digits.py']
model = dict(architecture=dict(backbone=dict(
    arch_setting=[[32, 1, 2], [40, 2, 2]],
    candidates=['k3_e3', 'k5_e3', 'k3_e3_se'])))
train_dataloader = dict(batch_size=32, num_workers=0,
                        persistent_workers=False, dataset=dict(indices=160))
train_cfg = dict(finetune_iters=3, eval_batches=3,
                 eval_dataloader=dict(batch_size=32, num_workers=0,
                                      persistent_workers=False))
randomness = dict(seed=0)
load_from = '{supernet}'
"""


def test_two_process_ponas_table_is_the_one_process_table(
        digits_root, tmp_path):
    from mmnas.registry import MODELS
    from mmnas.utils.config import load_config
    cfg = tmp_path / 'tiny_table.py'
    cfg.write_text(
        TINY_TABLE.format(
            cfg=osp.join(ROOT, 'configs/nas/ponas'),
            supernet=tmp_path / 'sn.pth'))
    torch.manual_seed(1)
    model = MODELS.build(load_config(str(cfg)).model)
    torch.save({'state_dict': model.state_dict()}, str(tmp_path / 'sn.pth'))
    one, two = tmp_path / 'one', tmp_path / 'two'
    run_tool(['tools/train.py', str(cfg), '--work-dir', str(one)])
    run_tool(['tools/dist_train.sh',
              str(cfg), '2', '--work-dir',
              str(two)],
             env=dict(PYTHON=sys.executable, PORT='29632'))
    a, b = (
        json.loads((d / 'ponas_table.json').read_text()) for d in (one, two))
    assert a['complete'] and a['scores'] == b['scores']
    assert a == b


def test_ponas_scores_on_class_mixed_batches_of_a_sorted_folder():
    """A validation folder lists its images class by class; with per-batch
    BN statistics (``norm_training``) a batch of one or two classes gives
    per-class statistics, so the PONAS table loop reads the set in a seeded
    shuffled order, the same for every candidate (its use there:
    test_ponas.py::test_table_loop_digits)."""
    from mmengine.dataset import DefaultSampler
    from torch.utils.data import DataLoader

    from mmnas.engine.loops.search_data import (SearchBatches,
                                                single_process_order)
    labels = [i // 30 for i in range(300)]  # 10 classes, sorted
    dataset = [torch.tensor(c) for c in labels]
    loader = DataLoader(
        dataset,
        batch_size=30,
        sampler=DefaultSampler(dataset, shuffle=False, seed=0))
    assert single_process_order(loader) == list(range(300))
    order = single_process_order(loader, seed=0, shuffle=True)
    assert sorted(order) == list(range(300)) and order != list(range(300))
    assert single_process_order(loader, seed=0, shuffle=True) == order
    assert single_process_order(loader, seed=1, shuffle=True) != order
    sorted_batches = SearchBatches(loader, lambda d: d)
    mixed = SearchBatches(loader, lambda d: d, seed=0, shuffle=True)
    assert all(len(set(b.tolist())) == 1 for _, b in sorted_batches)
    assert all(len(set(b.tolist())) >= 5 for _, b in mixed)
