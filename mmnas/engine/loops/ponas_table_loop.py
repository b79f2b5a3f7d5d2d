"""PONAS fine-tuning stage: fill the accuracy table layer by layer.

Starting from the meta-trained supernet (``load_from``), for each searchable
layer l in order:

1. fine-tune: ``finetune_iters`` training steps in which the layers before
   l take the candidates already decided, layer l cycles through its
   candidates (each gets the same number of steps) and the layers after l
   are sampled uniformly (single path, as in meta-training);
2. evaluate every candidate of layer l on ``eval_batches`` validation
   batches; the later layers take the same random paths for every candidate
   of the layer, so the candidates are compared on equal terms;
3. decide layer l as its best candidate and save the state.

The table (``mmnas/structures/ponas_table.py``: layer x candidate score,
plus every candidate's costs from the estimator and the search-space
description) is written to
``<work_dir>/<table_file>`` after every layer (``complete: false`` until the
last one); with ``--resume`` the loop continues after the last finished
layer from ``<work_dir>/ponas_table_state.pth`` (written at the start too,
so a run killed in its first layer resumes from the loaded supernet). The
state holds the weights, the optimizer, the step count (the position of the
fine-tuning data) and the global random generators, so a resumed table
holds the numbers of an uninterrupted one.

Across processes (``tools/dist_train.sh``) every rank fine-tunes on the
batches one process draws (the steps are the same on every rank) and the
evaluation batches are split among the ranks and gathered in order, so the
table is the one-process table; rank 0 writes it.
"""
import json
import os.path as osp
import random
from contextlib import contextmanager
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmengine.dist import is_main_process
from mmengine.evaluator import Evaluator
from torch.utils.data import DataLoader

from mmnas.engine.utils import load_from, resume_requested
from mmnas.estimators import build_estimator, refuse_cost_settings
from mmnas.registry import LOOPS
from mmnas.structures.ponas_table import TABLE_FORMAT, new_table, record_layer
from mmnas.utils import Progress, UserError, atomic_open, atomic_write, track
from .base import BaseSearchLoop
from .resume_state import (EndlessBatches, global_rng_state,
                           set_global_rng_state)
from .search_data import (SearchBatches, gather_metrics, process_batch,
                          single_process_loader)

STATE_FILE = 'ponas_table_state.pth'


@contextmanager
def batch_statistics(bns: List[nn.Module]):
    """The BatchNorm layers ``bns`` normalise with the statistics of each
    batch and leave their running statistics untouched (momentum 0) inside
    the block."""
    saved = [(m, m.training, m.momentum) for m in bns]
    for m in bns:
        m.train()
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, training, momentum in saved:
            m.train(training)
            m.momentum = momentum


@LOOPS.register_module()
class PONASTableLoop(BaseSearchLoop):
    """Args:
        runner: The mmengine runner.
        dataloader: Training data of the fine-tuning steps.
        eval_dataloader: Validation data that scores candidates, read
            in an order shuffled with ``seed`` (once: every candidate is
            scored on the same batches).
        evaluator: Metric config (e.g. ``dict(type='Accuracy')``).
        finetune_iters (int): Fine-tuning steps per layer (spread evenly
            over the layer's candidates; 0 skips fine-tuning).
        eval_batches (int, optional): Validation batches per candidate
            (None: the whole dataloader).
        score_key (str): Metric stored in the table (higher is better).
        norm_training (bool): Score with per-batch BN statistics (as SPOS
            search does) instead of the running ones.
        estimator (dict): Estimator (``TASK_UTILS``) of the candidates'
            costs, e.g. ``dict(type='CostTable', input_shape=...)``.
        table_file (str): Table file name inside the work dir.
        log_interval (int): Fine-tuning steps between log lines.
        data_cache_mb (float): Memory for the decoded and preprocessed
            evaluation batches (per process); when they do not fit they are
            read again for every candidate (0: always).
        seed (int): Seed of the path sampling.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 eval_dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 finetune_iters: int = 100,
                 eval_batches: Optional[int] = None,
                 score_key: str = 'accuracy/top1',
                 norm_training: bool = True,
                 estimator: Union[Dict, List] = dict(type='CostTable'),
                 table_file: str = 'ponas_table.json',
                 log_interval: int = 10,
                 data_cache_mb: float = 2048,
                 seed: int = 0,
                 **removed) -> None:
        refuse_cost_settings('PONASTableLoop', removed)
        super().__init__(runner, dataloader)
        if finetune_iters < 0 or (eval_batches is not None
                                  and eval_batches < 1):
            raise UserError(
                f'PONASTableLoop: finetune_iters must be >= 0 and '
                f'eval_batches >= 1 or None, got {finetune_iters}, '
                f'{eval_batches}; fix train_cfg.')
        self.eval_dataloader = runner.build_dataloader(
            eval_dataloader, seed=runner.seed) \
            if isinstance(eval_dataloader, dict) else eval_dataloader
        self.evaluator = runner.build_evaluator(evaluator) \
            if isinstance(evaluator, (dict, list)) else evaluator
        self.finetune_iters = finetune_iters
        self.eval_batches = eval_batches
        self.score_key = score_key
        self.norm_training = norm_training
        self.estimator = build_estimator(estimator)
        self.table_file = table_file
        self.log_interval = log_interval
        self.seed = seed
        self.data_cache_mb = data_cache_mb
        self._train_batches = None
        self._eval_data = None

    # -- the properties mmengine reads from a train loop --
    @property
    def max_epochs(self) -> int:
        return 1

    @property
    def max_iters(self) -> int:
        return self.finetune_iters * len(self.model.mutator.search_groups)

    @property
    def table_path(self) -> str:
        return osp.join(self.runner.work_dir, self.table_file)

    @property
    def state_path(self) -> str:
        return osp.join(self.runner.work_dir, STATE_FILE)

    # -- the table --
    def _new_table(self) -> Dict:
        model = self.model
        self.estimator.bind(model.architecture, model.mutator)
        return new_table(
            model.mutator.search_space(),
            self.estimator,
            self.score_key,
            settings=dict(
                finetune_iters=self.finetune_iters,
                eval_batches=self.eval_batches,
                norm_training=self.norm_training,
                seed=self.seed,
                train_batch_size=getattr(self.dataloader, 'batch_size', None),
                eval_batch_size=getattr(self.eval_dataloader, 'batch_size',
                                        None)))

    def _save(self, table: Dict) -> None:
        if not is_main_process():
            return
        atomic_write(self.table_path, json.dumps(table, indent=1) + '\n')
        state = dict(
            table=table,
            iter=self._iter,
            state_dict=self.model.state_dict(),
            optimizer=self.runner.optim_wrapper.state_dict(),
            rng=global_rng_state())
        with atomic_open(self.state_path, 'wb') as f:
            torch.save(state, f)

    def _resume(self, table: Dict) -> Dict:
        if not resume_requested(self.runner) or not osp.isfile(
                self.state_path):
            return table
        try:
            state = torch.load(
                self.state_path, map_location='cpu', weights_only=False)
            saved = state['table']
            if saved.get('format') != TABLE_FORMAT:
                raise KeyError('format')
        except Exception as e:  # noqa: BLE001 (any unreadable state)
            raise UserError(
                f'{self.state_path} is not a readable PONAS table state '
                f'({type(e).__name__}: {e}). Delete it to start the table '
                'from the first layer, or run without --resume.')
        if saved['search_space'] != table['search_space']:
            raise UserError(
                f'{self.state_path} was written for another search space; '
                'use a new --work-dir or delete the state file.')
        self.model.load_state_dict(state['state_dict'])
        self.runner.optim_wrapper.load_state_dict(state['optimizer'])
        self._iter = state['iter']
        self._epoch = max(self._iter - 1, 0) // len(self.dataloader)
        if 'rng' in state:
            set_global_rng_state(state['rng'])
        self.runner.logger.info(
            f'PONAS table: resumed after {len(saved["scores"])} of '
            f'{len(saved["layers"])} layers')
        return saved

    # -- one layer --
    def _next_batch(self):
        if self._train_batches is None:
            self._train_batches = EndlessBatches(
                single_process_loader(self.dataloader), self._iter)
        batch = next(self._train_batches)
        self._epoch = (self._train_batches.drawn - 1) // len(self.dataloader)
        return batch

    def _finetune(self, layer: str, decided: Dict, rng: random.Random):
        mutator, arch = self.model.mutator, self.model.architecture
        candidates = mutator.choices_of(layer)
        arch.train()
        for i in range(self.finetune_iters):
            choices = mutator.sample_choices(rng)
            choices.update(decided)
            choices[layer] = candidates[i % len(candidates)]
            mutator.set_choices(choices)
            log_vars = arch.train_step(self._next_batch(),
                                       self.runner.optim_wrapper)
            self._iter += 1
            if (i + 1) % self.log_interval == 0:
                self.runner.logger.info(
                    f'PONAS fine-tune {layer} [{i + 1}/'
                    f'{self.finetune_iters}] lr '
                    f'{self.runner.optim_wrapper.get_lr()["lr"][0]:.4g} ' +
                    ' '.join(f'{k}: {float(torch.as_tensor(v).detach()):.4f}'
                             for k, v in log_vars.items()))

    @torch.inference_mode()
    def _evaluate(self, layer: str, decided: Dict,
                  rng: random.Random) -> Dict[str, float]:
        mutator, arch = self.model.mutator, self.model.architecture
        if self._eval_data is None:
            # per-batch BN statistics are the set's only where a batch
            # samples the whole set, not a class or two of a sorted folder;
            # shuffled, eval_batches also takes a sample of every class
            self._eval_data = SearchBatches(
                self.eval_dataloader,
                lambda data: arch.data_preprocessor(data, False),
                num_batches=self.eval_batches,
                seed=self.seed,
                shuffle=True,
                budget=[int(self.data_cache_mb * 2**20)],
                name='PONAS evaluation data')
            self._bns = [
                m for m in arch.modules()
                if isinstance(m, nn.modules.batchnorm._BatchNorm)
            ]
        paths = []
        for _ in range(self._eval_data.num_batches):
            path = mutator.sample_choices(rng)
            path.update(decided)
            paths.append(path)
        scores = {}
        arch.eval()
        for cand in track(
                mutator.choices_of(layer),
                f'scoring {layer}',
                log_every=0,
                transient=True):
            chunks = []
            for index, data in self._eval_data:
                mutator.set_choices(dict(paths[index], **{layer: cand}))
                if self.norm_training:
                    with batch_statistics(self._bns):
                        outputs = arch(**data, mode='predict')
                else:
                    outputs = arch(**data, mode='predict')
                chunks.append(
                    process_batch(self.evaluator, index, outputs, data))
            scores[cand] = self.score_of(
                gather_metrics(self.evaluator, chunks))
        return scores

    def run(self) -> nn.Module:
        mutator = self.model.mutator
        if not load_from(self.runner) and not resume_requested(self.runner):
            self.runner.logger.warning(
                'PONAS table: no load_from, so the candidates are scored on '
                'an untrained supernet. Pass the meta-training checkpoint: '
                '--cfg-options load_from=<checkpoint>.')
        fresh = self._new_table()
        table = self._resume(fresh)
        if table is fresh:
            self._save(table)
        bar = Progress(
            len(table['layers']) - len(table['scores']), 'PONAS table layers')
        for index, layer in enumerate(table['layers']):
            if layer in table['scores']:
                continue
            rng = random.Random(self.seed * 1000003 + index)
            self._finetune(layer, table['decided'], rng)
            scores = self._evaluate(layer, table['decided'], rng)
            best = record_layer(table, layer, scores)
            self._save(table)
            self.runner.logger.info(
                f'PONAS table: {layer} best {best} ({scores[best]:.2f}), '
                f'worst {min(scores.values()):.2f} '
                f'[{len(table["scores"])}/{len(table["layers"])} layers]')
            bar.update()
        bar.close()
        mutator.set_choices(table['decided'])
        self.runner.logger.info(
            f'PONAS accuracy table written to {self.table_path}')
        return self.runner.model
