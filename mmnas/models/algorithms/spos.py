"""SPOS: Single Path One-Shot NAS with uniform sampling (Guo et al., 2020).

Each training step trains one path of the supernet, drawn uniformly at
random; unsampled candidates get no gradient, so SGD leaves them (and their
momentum and weight decay) untouched. The search is a separate loop
(``EvolutionSearchLoop``) on the trained supernet.
"""
from typing import Dict, List, Optional

import torch

from mmnas.registry import MODELS
from .base import BaseAlgorithm


@MODELS.register_module()
class SPOS(BaseAlgorithm):
    """Single-path one-shot supernet training (see :class:`BaseAlgorithm`
    for the arguments)."""

    def sample_subnet(self) -> Dict:
        return self.mutator.sample_choices()

    def loss(self,
             inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        self.mutator.set_choices(self.sample_subnet())
        return self.architecture(inputs, data_samples, mode='loss')
