"""What a loop restores so that a run resumed after a kill continues as the
uninterrupted run did: the global random generators and the position of a
data iterator that runs across epochs or layers."""
import random
from contextlib import contextmanager
from typing import Dict, Iterator, Optional

import numpy as np
import torch
from mmengine.logging import print_log


def global_rng_state() -> Dict:
    """The states of the python, numpy and torch (and CUDA) generators."""
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_global_rng_state(state: Dict) -> None:
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@contextmanager
def global_rng_kept():
    """Leave the global generators as they were before the block."""
    state = global_rng_state()
    try:
        yield
    finally:
        set_global_rng_state(state)


class EndlessBatches:
    """Batches of ``loader`` pass after pass, for a loop whose data runs
    across epochs or layers (DenseNAS' architecture data, PONAS' fine-tune
    data).

    Pass ``p`` is ordered by ``loader.sampler.set_epoch(p)``: a new shuffle
    every pass, as a train loop gives each epoch. The position after
    ``drawn`` batches is then a function of ``drawn`` alone, so a loop
    resumed with the ``drawn`` of its checkpoint continues where the
    interrupted run was. Getting there reads and drops the batches already
    drawn from the current pass, with the global generators left as they
    were (the uninterrupted run drew those batches, and their
    augmentations, before the point the loop resumes at).
    """

    def __init__(self, loader, drawn: int = 0) -> None:
        self.loader = loader
        self.drawn = drawn
        self._batches: Optional[Iterator] = None

    def _start_pass(self, index: int) -> Iterator:
        sampler = getattr(self.loader, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(index)
        return iter(self.loader)

    def __iter__(self) -> 'EndlessBatches':
        return self

    def __next__(self):
        index, position = divmod(self.drawn, len(self.loader))
        if position == 0:
            self._batches = self._start_pass(index)
        elif self._batches is None:
            print_log(
                f'Advancing a dataloader {position} batches to where '
                'the interrupted run was',
                logger='current')
            with global_rng_kept():
                self._batches = self._start_pass(index)
                for _ in range(position):
                    next(self._batches)
        self.drawn += 1
        return next(self._batches)
