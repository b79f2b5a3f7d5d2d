"""Choice among the outgoing paths of a feature, driven by learnable
logits (DenseNAS' ``beta``).

Unlike an op choice, every path runs during the search: the feature is sent
along each path scaled by that path's probability, so the logits get their
gradient from every successor that uses the feature.
"""
from typing import Any, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

from mmnas.registry import MODELS
from .diff_mutable import DiffMutable


@MODELS.register_module()
class DiffMutablePath(DiffMutable):
    """``forward(x)`` returns ``x`` once per path, scaled by
    ``softmax(arch_param / temperature)``; once fixed, 1 for the chosen
    path and 0 for the others. Its choices are the path targets (e.g.
    successor indices).

    Args:
        targets (Sequence): Where each path leads, in a stable order.
        alias (str, optional): Shared decision name.
        init_std (float): Std of the normal init of the logits.
        temperature (float): Softmax temperature of the logits.
    """

    def __init__(self,
                 targets: Sequence[Any],
                 alias: Optional[str] = None,
                 init_std: float = 1e-3,
                 temperature: float = 1.,
                 init_cfg=None) -> None:
        super().__init__(alias=alias, init_cfg=init_cfg)
        if not targets or len(set(targets)) != len(targets):
            raise ValueError(f'DiffMutablePath needs distinct targets, got '
                             f'{targets!r}')
        self._targets = list(targets)
        self._current = self._targets[0]
        self._init_arch_logits(len(targets), init_std, temperature)

    @property
    def choices(self) -> List[Any]:
        return list(self._targets)

    @property
    def current_choice(self) -> Any:
        return self._current

    @current_choice.setter
    def current_choice(self, choice: Any) -> None:
        self.check_switch(choice)
        self._current = choice

    def fix_chosen(self, chosen: Any) -> None:
        self.current_choice = chosen
        self._is_fixed = True

    def weights(self) -> torch.Tensor:
        """Path probabilities (with gradient), or the fixed one-hot."""
        if self.is_fixed:
            return F.one_hot(
                torch.tensor(self._targets.index(self._current)),
                len(self._targets)).to(self.arch_param)
        return self.arch_probs()

    def active_param_count(self, count) -> int:
        """The logits are not part of any subnet."""
        return 0

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        w = self.weights()
        return tuple(w[i] * x for i in range(len(self._targets)))
