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
    state = dict(python=random.getstate(), numpy=np.random.get_state(),
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


def iter_resumed(loader, drawn: int) -> Optional[Iterator]:
    """The iterator of ``loader`` that a loop holds after drawing ``drawn``
    batches from it, starting a new pass whenever one ends: None before the
    first batch, an exhausted one at the end of a pass (the loop starts the
    next pass as it always does), else a new iterator past the batches
    already drawn from the current pass.

    It is made and advanced with the global generators left as they were:
    the uninterrupted run drew those batches, and their augmentations,
    before the point the loop resumes at. Every pass of ``loader`` is taken
    to yield the same order (the loops never ``set_epoch`` its sampler).
    """
    if drawn == 0:
        return None
    skip = drawn % len(loader)
    if skip == 0:
        return iter(())
    print_log(f'Advancing a dataloader {skip} batches to where the '
              'interrupted run was', logger='current')
    with global_rng_kept():
        batches = iter(loader)
        for _ in range(skip):
            next(batches)
    return batches
