"""Learnable architecture logits and the one tempered softmax that turns
them into probabilities, shared by the differentiable mutables (op logits
alpha, path logits beta)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmnas.utils import UserError


class ArchLogitsMixin:
    """Gives a mutable ``arch_param`` (logits) and ``temperature``; every
    probability of the decision is ``softmax(arch_param / temperature)``
    (DenseNAS searches its ResNet space at 0.9, everything else at 1)."""

    def _init_arch_logits(self, num: int, init_std: float,
                          temperature: float) -> None:
        if not temperature > 0:
            raise UserError(f'the softmax temperature of architecture '
                            f'logits must be > 0, got {temperature!r}.')
        self.temperature = float(temperature)
        self.arch_param = nn.Parameter(torch.randn(num) * init_std)

    def arch_probs(self) -> torch.Tensor:
        """``softmax(arch_param / temperature)``, with gradient."""
        return F.softmax(self.arch_param / self.temperature, dim=-1)
