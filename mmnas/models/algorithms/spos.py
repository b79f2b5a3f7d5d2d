"""SPOS: Single Path One-Shot NAS with uniform sampling (Guo et al., 2020).

Each training step trains one path of the supernet, drawn uniformly at
random (or by another ``sampler``, e.g. FairNAS' strict fairness);
unsampled candidates get no gradient, so SGD leaves them (and their
momentum and weight decay) untouched. The search is a separate loop
(``EvolutionSearchLoop``) on the trained supernet.
"""
from typing import Dict, List, Optional, Union

import torch

from mmnas.registry import MODELS, TASK_UTILS
from .base import BaseAlgorithm


@MODELS.register_module()
class SPOS(BaseAlgorithm):
    """Single-path one-shot supernet training.

    Args:
        sampler (dict): Path sampler: ``UniformSampler`` (SPOS, the
            default) or ``StrictFairSampler`` (``mmnas/models/mutators/
            path_samplers.py``), or ``ConstrainedUniformSampler`` (SPOS'
            uniform constraint sampling, ``mmnas/estimators/``).
        **kwargs: See :class:`BaseAlgorithm` (``warm_start`` among them).
    """

    def __init__(self,
                 architecture: Union[dict, torch.nn.Module],
                 sampler: dict = dict(type='UniformSampler'),
                 **kwargs) -> None:
        super().__init__(architecture, **kwargs)
        self.sampler = TASK_UTILS.build(sampler)
        if hasattr(self.sampler, 'bind'):
            self.sampler.bind(self.architecture, self.mutator)

    def sample_subnet(self) -> Dict:
        path = self.sampler.sample(self.mutator)
        path.update(self.warm_start_path() or {})
        return path

    def loss(self,
             inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        self.mutator.set_choices(self.sample_subnet())
        return self.architecture(inputs, data_samples, mode='loss')
