"""The contract of the differentiable mutables (op logits alpha, path
logits beta): learnable architecture logits and the one tempered softmax
that turns them into probabilities."""
from typing import Any, List

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmnas.utils import UserError
from .base import BaseMutable


class DiffMutable(BaseMutable):
    """A mutable with ``arch_param`` (logits over ``arch_choices``) and
    ``temperature``; every probability of the decision is
    ``softmax(arch_param / temperature)`` (DenseNAS searches its ResNet
    space at 0.9, everything else at 1). Subclasses call
    :meth:`_init_arch_logits` in their ``__init__``."""

    def _init_arch_logits(self, num: int, init_std: float,
                          temperature: float) -> None:
        if not temperature > 0:
            raise UserError(f'the softmax temperature of architecture '
                            f'logits must be > 0, got {temperature!r}.')
        self.temperature = float(temperature)
        self.arch_param = nn.Parameter(torch.randn(num) * init_std)

    @property
    def arch_choices(self) -> List[Any]:
        """The choices the logits index (all of them, even once fixed)."""
        return self.choices

    def arch_probs(self) -> torch.Tensor:
        """``softmax(arch_param / temperature)``, with gradient."""
        return F.softmax(self.arch_param / self.temperature, dim=-1)

    def probs(self) -> torch.Tensor:
        """The choice probabilities without gradient."""
        return self.arch_probs().detach()

    @property
    def argmax_choice(self) -> Any:
        """The most probable choice (the fixed one once fixed)."""
        if self.is_fixed:
            return self.current_choice
        return self.arch_choices[int(self.probs().argmax())]
