"""Evolution search on a trained supernet (SPOS, step 2).

Each generation scores ``num_candidates`` subnets that satisfy the cost
constraints and were never scored before: the first generation is random,
later ones are mutations and crossovers of the current top-k, filled up with
random subnets. A candidate's score is its validation metric after its
BatchNorm statistics are re-estimated on training batches.

Every candidate is scored on the same batches (``SearchBatches``): the
calibration batches and the validation set are decoded and preprocessed
once per search while they fit in ``data_cache_mb``, else read again for
each candidate. Across processes each rank takes every N-th batch; BN
moments are summed over all ranks' batches and the validation results
gathered in batch order, so N processes give the scores of one.

Written to the work dir:
- ``search_log.jsonl``: one line per scored candidate (choices, score, cost);
- ``search_state.json``: the population state after every generation, from
  which ``--resume`` continues;
- ``best_subnet.yaml``: the best subnet (MMRazor subnet-file format).
"""
import json
import os.path as osp
import random
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.dist import all_reduce, get_world_size, is_main_process
from mmengine.evaluator import Evaluator
from torch.utils.data import DataLoader

from mmnas.engine.utils import load_from, resume_requested
from mmnas.estimators import (build_estimator, check_constraint_names, meets,
                              no_subnet_error, refuse_cost_settings)
from mmnas.registry import LOOPS
from mmnas.structures import dump_subnet
from mmnas.utils import Progress, UserError, atomic_write
from .base import BaseSearchLoop
from .search_data import SearchBatches, gather_metrics, process_batch

STATE_VERSION = 1


def _key(choices: Dict) -> str:
    return json.dumps(choices, sort_keys=True)


@LOOPS.register_module()
class EvolutionSearchLoop(BaseSearchLoop):
    """Args:
        runner: The mmengine runner.
        dataloader: Validation data that scores candidates.
        evaluator: Metric config (e.g. ``dict(type='Accuracy')``).
        max_epochs (int): Generations.
        num_candidates (int): Candidates scored per generation.
        top_k (int): Parents kept across generations.
        num_mutation (int): Mutants per generation.
        num_crossover (int): Crossovers per generation.
        mutate_prob (float): Probability to resample each decision.
        constraints_range (dict): ``metric -> (low, high)`` in the
            estimator's units (``flops``: MFLOPs, ``params``: M,
            ``latency``: ms); bounds may be None.
        estimator (dict | list): The cost estimator(s) (``TASK_UTILS``),
            e.g. ``dict(type='CostTable', input_shape=(1, 3, 224, 224),
            convention='macs')``, plus ``dict(type='LatencyTable',
            table=...)`` for a latency constraint.
        calibrate_dataloader (optional): Data for BN re-estimation;
            defaults to the runner's train dataloader. Its first
            ``calibrate_bn_iters`` batches, shuffled with ``seed`` when its
            sampler shuffles, serve every candidate.
        calibrate_bn_iters (int): Batches for BN re-estimation (0: off).
        data_cache_mb (float): Memory for the decoded and preprocessed
            calibration and validation batches (per process); data that
            does not fit is read again for every candidate (0: always).
        eval_merge_mb (float): Consecutive validation batches are merged
            into forward passes of inputs up to this size (a batch is
            never split; 0: one pass per batch): at small inputs a pass
            costs mostly per call. The predictions are those of one pass
            per batch up to float rounding (a kernel may sum in another
            order for another batch size).
        score_key (str): Metric that ranks candidates (higher is better).
        max_trials (int): Samples tried to find one new valid candidate.
        seed (int): Seed of the candidate sampling.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 max_epochs: int = 20,
                 num_candidates: int = 50,
                 top_k: int = 10,
                 num_mutation: int = 25,
                 num_crossover: int = 25,
                 mutate_prob: float = 0.1,
                 constraints_range: Optional[Dict[str, Tuple]] = None,
                 estimator: Union[Dict, List] = dict(type='CostTable'),
                 calibrate_dataloader: Optional[Union[DataLoader,
                                                      Dict]] = None,
                 calibrate_bn_iters: int = 200,
                 data_cache_mb: float = 2048,
                 eval_merge_mb: float = 4,
                 score_key: str = 'accuracy/top1',
                 max_trials: int = 1000,
                 seed: int = 0,
                 **removed) -> None:
        super().__init__(runner, dataloader)
        refuse_cost_settings('EvolutionSearchLoop', removed)
        if top_k > num_candidates or num_mutation + num_crossover > \
                num_candidates:
            raise UserError(
                f'EvolutionSearchLoop: need top_k ({top_k}) and num_mutation'
                f' + num_crossover ({num_mutation + num_crossover}) <= '
                f'num_candidates ({num_candidates}); fix train_cfg.')
        self.evaluator = runner.build_evaluator(evaluator) \
            if isinstance(evaluator, (dict, list)) else evaluator
        if calibrate_dataloader is None:
            self.calibrate_dataloader = runner.train_dataloader
        elif isinstance(calibrate_dataloader, dict):
            self.calibrate_dataloader = runner.build_dataloader(
                calibrate_dataloader, seed=runner.seed)
        else:
            self.calibrate_dataloader = calibrate_dataloader
        self._max_epochs = max_epochs
        self.num_candidates = num_candidates
        self.top_k = top_k
        self.num_mutation = num_mutation
        self.num_crossover = num_crossover
        self.mutate_prob = mutate_prob
        self.constraints_range = dict(constraints_range or {})
        self.estimator = build_estimator(estimator)
        check_constraint_names(self.constraints_range, self.estimator,
                               'train_cfg')
        self.calibrate_bn_iters = calibrate_bn_iters
        self.data_cache_mb = data_cache_mb
        self.eval_merge_mb = eval_merge_mb
        self.seed = seed
        self._scoring = None
        self.score_key = score_key
        self.max_trials = max_trials
        self.rng = random.Random(seed)
        self.scores: Dict[str, float] = {}  # every scored subnet
        self.costs: Dict[str, Dict] = {}
        self.top: List[Dict] = []  # best first
        self.history: List[Dict] = []  # per-generation summary

    # -- the properties mmengine hooks read from a train loop --
    @property
    def max_epochs(self):
        return self._max_epochs

    @property
    def max_iters(self):
        return self._max_epochs * self.num_candidates

    @property
    def work_dir(self) -> str:
        return self.runner.work_dir

    # -- costs --
    def _build_estimators(self) -> None:
        self.estimator.bind(self.model.architecture, self.model.mutator)

    def cost(self, choices: Dict) -> Dict[str, float]:
        """Cost in the units of ``constraints_range``."""
        key = _key(choices)
        if key not in self.costs:
            self.costs[key] = self.estimator.in_units(
                self.estimator.cost(choices))
        return self.costs[key]

    def is_valid(self, choices: Dict) -> bool:
        return meets(self.cost(choices), self.constraints_range)

    # -- candidate generation --
    def _new_valid(self, make) -> Optional[Dict]:
        for _ in range(self.max_trials):
            choices = make()
            if _key(choices) not in self.scores and self.is_valid(choices):
                return choices
        return None

    def _random(self) -> Dict:
        return dict(self.model.mutator.sample_choices(self.rng))

    def _mutate(self) -> Dict:
        parent = self.rng.choice(self.top)['choices']
        mutator = self.model.mutator
        return {
            k: (mutator.search_groups[k][0].sample_choice(self.rng)
                if self.rng.random() < self.mutate_prob else v)
            for k, v in parent.items()
        }

    def _crossover(self) -> Dict:
        a = self.rng.choice(self.top)['choices']
        b = self.rng.choice(self.top)['choices']
        return {k: self.rng.choice([a[k], b[k]]) for k in a}

    def _generation(self) -> List[Dict]:
        """The new candidates of this generation (all unseen)."""
        cands: List[Dict] = []
        seen = set()

        def add(make, n):
            for _ in range(n):
                c = self._new_valid(make)
                if c is None or _key(c) in seen:
                    continue
                seen.add(_key(c))
                cands.append(c)

        if self.top:
            add(self._mutate, self.num_mutation)
            add(self._crossover, self.num_crossover)
        add(self._random, self.num_candidates - len(cands))
        if not cands and not self.scores:
            raise no_subnet_error(self.estimator, self.constraints_range,
                                  self.max_trials, 'train_cfg')
        return cands

    # -- scoring --
    def _prepare_scoring(self) -> None:
        """The batches and the modules that scoring uses, found once."""
        model = self.model
        budget = [int(self.data_cache_mb * 2**20)]

        def preprocess(data):
            return model.data_preprocessor(data, False)

        calib = None
        if self.calibrate_bn_iters > 0:
            calib = SearchBatches(
                self.calibrate_dataloader,
                preprocess,
                num_batches=self.calibrate_bn_iters,
                seed=self.seed,
                budget=budget,
                name='BN calibration data')
        val = SearchBatches(
            self.dataloader, preprocess, budget=budget, name='validation data')
        modules = list(model.modules())
        bns = [
            m for m in modules
            if isinstance(m, nn.modules.batchnorm._BatchNorm)
            and m.track_running_stats
        ]
        if any(type(m).train is not nn.Module.train for m in modules):
            modules = None  # a module with its own train(): call it
        self._scoring = dict(calib=calib, val=val, bns=bns, modules=modules)

    def _set_training(self, mode: bool) -> None:
        modules = self._scoring['modules']
        if modules is None:
            self.model.train(mode)
        else:
            for m in modules:
                m.training = mode

    @torch.inference_mode()
    def calibrate_bn(self) -> None:
        """Re-estimate the BN running statistics of the current subnet in
        one pass: each the average of its per-batch moments over the
        calibration batches of all ranks (what ``momentum=None`` gives in
        one process)."""
        if self._scoring is None:
            self._prepare_scoring()
        batches, bns = self._scoring['calib'], self._scoring['bns']
        if batches is None:
            return
        sums = [None] * len(bns)

        def record(i):

            def hook(m, inputs, output):
                # with momentum 1 the running statistics are this batch's
                moments = torch.stack(
                    [m.running_mean.double(),
                     m.running_var.double()])
                sums[i] = moments if sums[i] is None else sums[i] + moments

            return hook

        saved = [m.momentum for m in bns]
        handles = [
            m.register_forward_hook(record(i)) for i, m in enumerate(bns)
        ]
        for m in bns:
            m.reset_running_stats()
            m.momentum = 1.0
        self._set_training(True)
        try:
            for _, data in batches:
                self.model.architecture(data['inputs'], mode='tensor')
        finally:
            for m, h, momentum in zip(bns, handles, saved):
                h.remove()
                m.momentum = momentum
            self._set_training(False)
        counts = [
            0 if s is None else int(m.num_batches_tracked)
            for m, s in zip(bns, sums)
        ]
        if get_world_size() > 1:
            flat = torch.cat(
                [torch.tensor(counts, dtype=torch.float64)] +
                [(torch.zeros(2, m.num_features, dtype=torch.float64
                              ) if s is None else s.cpu()).flatten()
                 for m, s in zip(bns, sums)])
            all_reduce(flat)
            counts = [int(c) for c in flat[:len(bns)].tolist()]
            offset, sums = len(bns), []
            for m in bns:
                size = 2 * m.num_features
                sums.append(flat[offset:offset + size].view(2, -1))
                offset += size
        for m, n, s in zip(bns, counts, sums):
            if n == 0:
                continue
            mean, var = (s / n).to(m.running_mean)
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
            m.num_batches_tracked.fill_(n)

    @torch.inference_mode()
    def metrics(self) -> Dict[str, float]:
        """The evaluator's metrics of the current subnet on the validation
        batches of all ranks."""
        if self._scoring is None:
            self._prepare_scoring()
        model = self.model
        self._set_training(False)
        chunks = []
        passes = self._scoring['val'].passes(int(self.eval_merge_mb * 2**20))
        for data, run in passes:
            outputs = model(**data, mode='predict')
            start = 0
            for index, part in run:
                end = start + len(part['data_samples']) if len(run) > 1 \
                    else len(outputs)
                chunks.append(
                    process_batch(self.evaluator, index, outputs[start:end],
                                  part))
                start = end
        return gather_metrics(self.evaluator, chunks)

    def score_metrics(self, choices: Dict) -> Dict[str, float]:
        """Every metric of the subnet ``choices`` as a candidate is scored:
        BN statistics re-estimated, then the validation batches."""
        self.model.mutator.set_choices(choices)
        self.calibrate_bn()
        return self.metrics()

    def score(self, choices: Dict) -> float:
        return self.score_of(self.score_metrics(choices))

    # -- state --
    @property
    def state_path(self) -> str:
        return osp.join(self.work_dir, 'search_state.json')

    @property
    def log_path(self) -> str:
        return osp.join(self.work_dir, 'search_log.jsonl')

    def state_dict(self) -> Dict:
        version, internal, gauss = self.rng.getstate()
        return dict(
            version=STATE_VERSION,
            epoch=self._epoch,
            iter=self._iter,
            rng=[version, list(internal), gauss],
            top=self.top,
            history=self.history,
            scores=self.scores,
            supernet_checkpoint=self.supernet_checkpoint,
            search_space=self.model.mutator.search_space())

    def load_state_dict(self, state: Dict) -> None:
        if state.get('version') != STATE_VERSION:
            raise UserError(f'{self.state_path} has state version '
                            f'{state.get("version")}, expected '
                            f'{STATE_VERSION}; start a new work dir.')
        if state['search_space'] != json.loads(
                json.dumps(self.model.mutator.search_space())):
            raise UserError(f'{self.state_path} was written for another '
                            'search space; resume with the config that '
                            'wrote it or use a new work dir.')
        self._epoch, self._iter = state['epoch'], state['iter']
        version, internal, gauss = state['rng']
        self.rng.setstate((version, tuple(internal), gauss))
        self.top, self.history = state['top'], state['history']
        self.scores = dict(state['scores'])

    def save_state(self) -> None:
        if is_main_process():
            atomic_write(self.state_path, json.dumps(self.state_dict()) + '\n')

    def _logged_scores(self) -> Dict[str, float]:
        """Scores already in the log (a generation cut short by a kill)."""
        found = {}
        if osp.isfile(self.log_path):
            with open(self.log_path) as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                    except ValueError:  # a line cut by the kill
                        continue
                    found[_key(entry['choices'])] = entry['score']
        return found

    def maybe_resume(self) -> None:
        if not resume_requested(self.runner) or not osp.isfile(
                self.state_path):
            return
        try:
            with open(self.state_path) as f:
                state = json.load(f)
        except ValueError as e:
            raise UserError(f'{self.state_path} is corrupt ({e}); remove it '
                            'to restart the search from the beginning.')
        ckpt = state.get('supernet_checkpoint')
        if load_from(self.runner) is None and ckpt:
            self.runner.load_checkpoint(ckpt)
            self.supernet_checkpoint = ckpt
        self.load_state_dict(state)
        self.resumed_scores = self._logged_scores()
        self.runner.logger.info(
            f'Resumed the search at generation {self._epoch} with '
            f'{len(self.scores)} scored subnets.')

    def _log_candidate(self, choices: Dict, score: float) -> None:
        if is_main_process():
            entry = dict(
                epoch=self._epoch,
                choices=choices,
                score=score,
                **self.cost(choices))
            with open(self.log_path, 'a') as f:
                f.write(json.dumps(entry) + '\n')

    # -- the loop --
    def run_epoch(self) -> None:
        cands = self._generation()
        logger = self.runner.logger
        logger.info(f'Generation {self._epoch + 1}/{self._max_epochs}: '
                    f'scoring {len(cands)} new candidates')
        bar = Progress(
            len(cands), f'generation {self._epoch + 1}/{self._max_epochs}')
        for choices in cands:
            key = _key(choices)
            if key in self.resumed_scores:
                score = self.resumed_scores[key]
            else:
                score = self.score(choices)
                self._log_candidate(choices, score)
            self.scores[key] = score
            self.top.append(
                dict(choices=choices, score=score, **self.cost(choices)))
            self._iter += 1
            bar.update()
        bar.close()
        self.top.sort(key=lambda c: -c['score'])
        self.top = self.top[:self.top_k]
        best = self.top[0]
        self.history.append(
            dict(
                epoch=self._epoch,
                best_score=best['score'],
                top_k_mean=sum(c['score'] for c in self.top) / len(self.top),
                scored=len(self.scores)))
        cost = ', '.join(f'{k} {v:.3f}'
                         for k, v in self.cost(best['choices']).items())
        logger.info(f'Generation {self._epoch + 1}: best {self.score_key} '
                    f'{best["score"]:.4g} ({cost}); '
                    f'{len(self.scores)} subnets scored so far')
        self.runner.message_hub.update_scalar('search/best_score',
                                              best['score'])
        if is_main_process():
            scalars = {
                f'search/{k}': v
                for k, v in self.history[-1].items() if k != 'epoch'
            }
            self.runner.visualizer.add_scalars(scalars, step=self._epoch + 1)
        self._epoch += 1
        self.save_state()

    def run(self):
        self._build_estimators()
        self._prepare_scoring()
        self.resumed_scores: Dict[str, float] = {}
        self.supernet_checkpoint = load_from(self.runner)
        self.maybe_resume()
        if self.supernet_checkpoint is None:
            self.runner.logger.warning(
                'Searching a supernet that was not loaded from a checkpoint '
                '(random weights): pass --cfg-options load_from=<supernet '
                'checkpoint>.')
        if self._epoch == 0:
            self.save_state()  # records the supernet for --resume
        self.runner.call_hook('before_train')
        while self._epoch < self._max_epochs:
            self.run_epoch()
        best = self.top[0]
        if is_main_process():
            dump_subnet(best['choices'],
                        osp.join(self.work_dir, 'best_subnet.yaml'))
            atomic_write(
                osp.join(self.work_dir, 'search_result.json'),
                json.dumps(
                    dict(top_k=self.top, history=self.history), indent=2) +
                '\n')
        self.runner.logger.info(
            f'Search done: best {self.score_key} {best["score"]:.4g}, '
            f'subnet written to '
            f'{osp.join(self.work_dir, "best_subnet.yaml")}')
        self.model.mutator.set_choices(best['choices'])
        self.runner.call_hook('after_train')
        return self.runner.model
