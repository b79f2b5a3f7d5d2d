"""Choice among candidate ops driven by learnable architecture logits, as
in DSNAS (Hu et al., 2020).

Each training forward draws a one-hot ``Z ~ Categorical(softmax(alpha / T))``
(``T`` the softmax temperature, 1 unless configured), runs only the sampled
candidate and multiplies its output by the sampled entry of ``Z``. That
entry is 1.0 in value but carries the factor ``p_k / stop_grad(p_k)``, so
one backward pass gives the architecture logits DSNAS' low-biased
Monte-Carlo gradient::

    dL/dalpha = (dL/dZ_k) * d log p_alpha(Z)/dalpha

(the credit of the sampled op times the score function), with no second
pass and no gradient surgery; under DistributedDataParallel the logits are
averaged like any other parameter.
"""
from typing import Any, Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmnas.registry import MODELS
from .diff_mutable import DiffMutable
from .one_shot_op import OneShotMutableOP


@MODELS.register_module()
class OneHotMutableOP(DiffMutable, OneShotMutableOP):
    """A one-shot op whose choice is sampled from
    ``softmax(arch_param / temperature)``.

    In eval mode, or once fixed, it runs ``current_choice`` like its parent
    (the algorithm sets that to the argmax before evaluating). The logits
    outlive ``fix_chosen`` so the searched distribution stays readable.

    Args:
        candidates (dict): ``name -> cfg or nn.Module``.
        module_kwargs (dict, optional): Extra kwargs for every candidate cfg.
        alias (str, optional): Shared decision name.
        init_std (float): Std of the normal init of the logits (MMRazor:
            1e-3; the official code's N(1, 0.01) is the same up to a shift).
        temperature (float): Softmax temperature of the logits.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 candidates: Dict[str, Union[dict, nn.Module]],
                 module_kwargs: Optional[dict] = None,
                 alias: Optional[str] = None,
                 init_std: float = 1e-3,
                 temperature: float = 1.,
                 init_cfg=None) -> None:
        super().__init__(candidates, module_kwargs, alias, init_cfg)
        self._arch_choices = list(self._choices)
        self._init_arch_logits(len(self._arch_choices), init_std, temperature)
        self._pending: Optional[Tuple[int, Optional[torch.Tensor]]] = None
        # one-hot Z of the last training forward; its .grad is dL/dZ
        self.one_hot: Optional[torch.Tensor] = None

    @property
    def arch_choices(self) -> List[Any]:
        """The choices the logits index (all of them, even once fixed)."""
        return list(self._arch_choices)

    def sample_one_hot(
            self,
            arch_grad: bool = True) -> Tuple[int, Optional[torch.Tensor]]:
        """Draw a choice index from the choice probabilities and, when
        ``arch_grad``, the one-hot ``Z`` (a leaf with grad) and the scalar
        ``Z_k * p_k / stop_grad(p_k)`` that scales the sampled op."""
        probs = self.arch_probs()
        index = int(torch.multinomial(probs.detach(), 1))
        if not arch_grad:
            return index, None
        one_hot = F.one_hot(torch.tensor(index),
                            len(self._arch_choices)).to(probs)
        one_hot.requires_grad_(True)
        self.one_hot = one_hot
        scale = one_hot[index] * probs[index] / probs[index].detach()
        return index, scale

    def set_sample(self, index: int, scale: Optional[torch.Tensor]) -> None:
        """Make the next training forward run choice ``index`` scaled by
        ``scale`` (None: unscaled); used to share one draw among the
        mutables of an alias."""
        self._pending = (index, scale)

    def forward(self, x: Any) -> Any:
        if not self.training or self.is_fixed:
            return super().forward(x)
        pending, self._pending = self._pending, None
        index, scale = pending if pending is not None \
            else self.sample_one_hot()
        self._current = self._arch_choices[index]
        out = self._candidates[self._current](x)
        return out if scale is None else out * scale
