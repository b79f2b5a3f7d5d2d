"""The data a search scores every candidate on, shared across processes.

A search runs the same batches through every candidate. ``SearchBatches``
fixes them: the batches one process would draw, in its order, split among
the ranks batch by batch (batch ``i`` goes to rank ``i % world_size``), and
decoded and preprocessed once per search when they fit in a memory budget.
``gather_metrics`` puts the ranks' per-batch results back in batch order
and computes the metrics from them, so N processes score as one does.
``SearchBatches.passes`` merges consecutive batches into fewer forward
passes for evaluation, and the results are taken apart by batch again.
"""
import copy
import functools
import random
from typing import Dict, Iterator, List, Optional, Tuple

import torch
from mmengine.dataset import DefaultSampler
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.logging import print_log
from torch.utils.data import DataLoader

from mmnas.utils import UserError
from .resume_state import global_rng_kept


def _nbytes(obj) -> int:
    if isinstance(obj, torch.Tensor):
        return obj.element_size() * obj.nelement()
    if isinstance(obj, dict):
        return sum(_nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(v) for v in obj)
    return 0


def single_process_order(loader: DataLoader,
                         seed: Optional[int] = None,
                         shuffle: bool = False) -> List[int]:
    """The sample indices ``loader`` yields in one process (the order a
    ``DefaultSampler`` gives at world size 1). ``seed``, when given, replaces
    the sampler's shuffle seed; ``shuffle`` shuffles (with ``seed``, else
    0) even where the sampler does not."""
    sampler = loader.sampler
    if isinstance(sampler, DefaultSampler):
        one = copy.copy(sampler)
        one.rank, one.world_size = 0, 1
        one.num_samples = one.total_size = len(one.dataset)
        if seed is not None:
            one.seed = seed
        one.shuffle = one.shuffle or shuffle
        return list(one)
    if get_dist_info()[1] > 1:
        raise UserError(f'a search across processes needs the DefaultSampler '
                        f'in its dataloaders, not {type(sampler).__name__}.')
    order = list(sampler)
    if shuffle:
        random.Random(seed or 0).shuffle(order)
    return order


def rank_zero_worker_init(loader: DataLoader):
    """``loader``'s worker seeding as rank 0 has it, so every rank's workers
    draw what one process's do."""
    init = loader.worker_init_fn
    if isinstance(init, functools.partial) and 'rank' in init.keywords:
        return functools.partial(init.func, *init.args,
                                 **dict(init.keywords, rank=0))
    return init


def single_process_loader(loader: DataLoader) -> DataLoader:
    """``loader`` as one process has it: every rank draws the batches (and
    the worker seeds) that a one-process run draws."""
    sampler = loader.sampler
    if isinstance(sampler, DefaultSampler):
        sampler = copy.copy(sampler)
        sampler.rank, sampler.world_size = 0, 1
        sampler.num_samples = sampler.total_size = len(sampler.dataset)
    elif get_dist_info()[1] > 1:
        raise UserError(f'a search across processes needs the DefaultSampler '
                        f'in its dataloaders, not {type(sampler).__name__}.')
    return DataLoader(
        loader.dataset,
        batch_size=loader.batch_size,
        sampler=sampler,
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory,
        drop_last=loader.drop_last,
        worker_init_fn=rank_zero_worker_init(loader),
        persistent_workers=loader.num_workers > 0)


class SearchBatches:
    """This rank's share of the first ``num_batches`` batches of ``loader``
    (all of them when None), as ``(batch index, preprocessed batch)``.

    Args:
        loader: The dataloader whose dataset, batch size, collate function
            and workers are used.
        preprocess: ``data -> data`` (the model's data preprocessor).
        num_batches (int, optional): Leading batches to use.
        seed (int, optional): Shuffle seed replacing the sampler's, so the
            batches do not depend on the runner's seed.
        shuffle (bool): Shuffle the samples even where the sampler does
            not, so that every batch samples the whole set (a validation
            folder lists its images class by class).
        budget (list): ``[bytes]`` left for cached batches, shared by the
            ``SearchBatches`` of one search and decreased by what this one
            keeps. When this rank's batches do not fit, they are read and
            preprocessed again on every pass (streaming).
        name (str): What the batches are for, in the log.
    """

    def __init__(self,
                 loader: DataLoader,
                 preprocess,
                 num_batches: Optional[int] = None,
                 seed: Optional[int] = None,
                 budget: Optional[List[int]] = None,
                 name: str = 'search data',
                 shuffle: bool = False) -> None:
        rank, world = get_dist_info()
        order = single_process_order(loader, seed, shuffle)
        size = loader.batch_size
        batches = [order[i:i + size] for i in range(0, len(order), size)]
        if loader.drop_last and batches and len(batches[-1]) < size:
            batches.pop()
        if num_batches is not None:
            batches = batches[:num_batches]
        self.num_batches = len(batches)
        self.indices = list(range(rank, len(batches), world))
        self.preprocess = preprocess
        workers = loader.num_workers
        self.loader = DataLoader(
            loader.dataset,
            batch_sampler=[batches[i] for i in self.indices],
            num_workers=workers,
            collate_fn=loader.collate_fn,
            worker_init_fn=rank_zero_worker_init(loader),
            persistent_workers=workers > 0)
        self.cache: Optional[List] = None
        self._passes = None
        if budget is not None:
            self.cache = self._fill(budget, name)
        if self.cache is not None:
            self.loader = None  # ends its workers

    def _fill(self, budget: List[int], name: str) -> Optional[List]:
        cache, used = [], 0
        with torch.no_grad():
            for data in self._read():
                data = self.preprocess(data)
                used += _nbytes(data)
                if used > budget[0]:
                    print_log(
                        f'{name}: {len(self.indices)} batches do not fit in '
                        'the data cache (data_cache_mb); they are read '
                        'again for every candidate.',
                        logger='current')
                    return None
                cache.append(data)
        budget[0] -= used
        return cache

    @property
    def cached(self) -> bool:
        return self.cache is not None

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[Tuple[int, Dict]]:
        if self.cache is not None:
            return zip(self.indices, self.cache)
        return zip(self.indices,
                   (self.preprocess(data) for data in self._read()))

    def passes(self, max_bytes: int) -> Iterator[Tuple[Dict, List]]:
        """This rank's batches in runs of consecutive ones whose inputs
        take at most ``max_bytes`` together (a batch is never split), each
        run as ``(merged data, [(batch index, data of that batch), ...])``:
        one forward pass of the merged data instead of one per batch. At
        small inputs a pass costs mostly per call (the convolutions'
        set-up), so merging shortens evaluation; at large ones it would
        only spill the caches, so the bound is on bytes. Cached batches are
        merged once and kept as views of the merged tensors. Batches with
        more than ``inputs`` and ``data_samples`` are not merged."""
        if self.cache is not None:
            if self._passes is None or self._passes[0] != max_bytes:
                passes = list(self._merge(self, max_bytes, True))
                self._passes = (max_bytes, passes)
                self.cache = [data for _, run in passes for _, data in run]
            return iter(self._passes[1])
        return self._merge(iter(self), max_bytes, False)

    @staticmethod
    def _merge(batches, max_bytes: int, keep: bool):
        run, used = [], 0
        for index, data in batches:
            size = _nbytes(data['inputs']) if _mergeable(data) else None
            if run and (size is None or used + size > max_bytes):
                yield _merged(run, keep)
                run, used = [], 0
            run.append((index, data))
            used += max_bytes if size is None else size
        if run:
            yield _merged(run, keep)

    def _read(self) -> Iterator:
        # starting a pass draws a seed from the global generator: leave it
        # as it was, so that what the search draws later does not depend
        # on whether its data was cached
        with global_rng_kept():
            return iter(self.loader)


def _mergeable(data) -> bool:
    """A batch of an ``inputs`` tensor and a list of ``data_samples``."""
    return isinstance(data, dict) \
        and set(data) == {'inputs', 'data_samples'} \
        and isinstance(data['inputs'], torch.Tensor) \
        and isinstance(data['data_samples'], list)


def _merged(run: List[Tuple[int, Dict]], keep: bool):
    """``(merged data, run)``; with ``keep`` the run's batches become views
    of the merged inputs, so merging costs no memory."""
    if len(run) == 1:
        return run[0][1], run
    inputs = torch.cat([data['inputs'] for _, data in run])
    samples = [s for _, data in run for s in data['data_samples']]
    if keep:
        start, views = 0, []
        for index, data in run:
            end = start + len(data['data_samples'])
            views.append((index, dict(data, inputs=inputs[start:end])))
            start = end
        run = views
    return dict(inputs=inputs, data_samples=samples), run


def gather_metrics(evaluator, chunks: List[Tuple[int, List]]) -> Dict:
    """The metrics of ``evaluator`` over every rank's results.

    ``chunks`` holds this rank's ``(batch index, [results of each metric
    for that batch])``; the results of all ranks are put in batch order, as
    one process would hold them, before each metric computes."""
    if get_dist_info()[1] > 1:
        chunks = [c for part in all_gather_object(chunks) for c in part]
    chunks = sorted(chunks, key=lambda c: c[0])
    metrics = {}
    for k, metric in enumerate(evaluator.metrics):
        results = [r for _, per_metric in chunks for r in per_metric[k]]
        out = metric.compute_metrics(results)
        if metric.prefix:
            out = {f'{metric.prefix}/{key}': v for key, v in out.items()}
        metrics.update(out)
    return metrics


def process_batch(evaluator, index: int, outputs, data) -> Tuple[int, List]:
    """Run ``evaluator.process`` on one batch and take its results out of
    the metrics, as a chunk for ``gather_metrics``."""
    before = [len(m.results) for m in evaluator.metrics]
    evaluator.process(data_samples=outputs, data_batch=data)
    chunk = []
    for metric, n in zip(evaluator.metrics, before):
        chunk.append(metric.results[n:])
        del metric.results[n:]
    return index, chunk
