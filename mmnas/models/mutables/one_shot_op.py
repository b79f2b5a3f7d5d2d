"""Choice among candidate operations, one of which runs per forward."""
from typing import Any, Callable, Dict, Optional, Union

import torch
import torch.nn as nn

from mmnas.registry import MODELS
from .base import BaseMutable


def copy_overlap_(dst: torch.Tensor, src: torch.Tensor) -> None:
    """Copy ``src`` into ``dst`` in place where they overlap: the leading
    entries of every dimension, except the spatial dimensions of a conv
    kernel (the last two of a 4-d tensor), where a smaller kernel lands in
    the centre of a larger one and the border is zeroed (so a 3x3 kernel
    copied into a 5x5 one computes the same output)."""
    if dst.dim() != src.dim():
        return
    dst_idx, src_idx = [], []
    for d, (n_dst, n_src) in enumerate(zip(dst.shape, src.shape)):
        n = min(n_dst, n_src)
        if dst.dim() == 4 and d >= 2:
            dst_idx.append(slice((n_dst - n) // 2, (n_dst - n) // 2 + n))
            src_idx.append(slice((n_src - n) // 2, (n_src - n) // 2 + n))
        else:
            dst_idx.append(slice(0, n))
            src_idx.append(slice(0, n))
    if dst.dim() == 4 and dst.shape[2:] != src.shape[2:]:
        lead = tuple(dst_idx[:2])
        dst[lead] = 0
    dst[tuple(dst_idx)] = src[tuple(src_idx)]


@MODELS.register_module()
class OneShotMutableOP(BaseMutable):
    """Holds named candidate modules and runs the current one.

    Candidates are given as configs (built with ``module_kwargs`` merged in,
    so a search space can pass in/out channels and stride once) or as built
    modules. Fixing a choice deletes the other candidates.

    Args:
        candidates (dict): ``name -> cfg or nn.Module``.
        module_kwargs (dict, optional): Extra kwargs for every candidate cfg.
        alias (str, optional): Shared decision name.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 candidates: Dict[str, Union[dict, nn.Module]],
                 module_kwargs: Optional[dict] = None,
                 alias: Optional[str] = None,
                 init_cfg=None) -> None:
        super().__init__(alias=alias, init_cfg=init_cfg)
        if not isinstance(candidates, dict) or not candidates:
            raise TypeError(
                'OneShotMutableOP needs `candidates` as a non-empty dict of '
                f'name -> op config, got {candidates!r}.')
        module_kwargs = module_kwargs or {}
        built = nn.ModuleDict()
        for name, cand in candidates.items():
            if isinstance(cand, nn.Module):
                built[name] = cand
            else:
                cfg = dict(cand)
                cfg.update(module_kwargs)
                built[name] = MODELS.build(cfg)
        self._candidates = built
        self._choices = list(built.keys())
        self._current = self._choices[0]

    @property
    def choices(self):
        return list(self._choices)

    @property
    def current_choice(self) -> str:
        return self._current

    @current_choice.setter
    def current_choice(self, choice: str) -> None:
        self.check_switch(choice)
        self._current = choice

    @property
    def reference_choice(self) -> str:
        """The candidate a supernet warm start trains alone before the
        others inherit it: the first one."""
        return self._choices[0]

    @property
    def candidates(self) -> nn.ModuleDict:
        return self._candidates

    @property
    def chosen_module(self) -> nn.Module:
        return self._candidates[self._current]

    def active_param_count(self, count: Callable[[nn.Module], int]) -> int:
        """Only the current candidate's parameters are in the subnet."""
        return count(self.chosen_module)

    def fix_chosen(self, chosen: str) -> None:
        self.current_choice = chosen
        for name in list(self._candidates.keys()):
            if name != chosen:
                del self._candidates[name]
        self._choices = [chosen]
        self._is_fixed = True

    @torch.no_grad()
    def inherit_from(self, source: str) -> None:
        """Give every other candidate the weights and BN statistics of
        ``source`` where their state-dict names match (see
        :func:`copy_overlap_` for different shapes); the rest keep theirs.
        A supernet warm start uses it to begin uniform sampling from one
        trained path in every candidate."""
        self.check_choice(source)
        src = self._candidates[source].state_dict()
        for name, cand in self._candidates.items():
            if name == source:
                continue
            for key, value in cand.state_dict().items():
                if key in src:
                    copy_overlap_(value, src[key])

    def export(self) -> nn.Module:
        """The chosen candidate as a plain module (for static subnets)."""
        return self.chosen_module

    def forward(self, x: Any) -> Any:
        return self._candidates[self._current](x)
