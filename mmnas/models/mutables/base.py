"""The contract every searchable decision in a supernet follows."""
import random
from abc import abstractmethod
from typing import Any, Callable, Dict, List, Optional

import torch.nn as nn
from mmengine.model import BaseModule


class BaseMutable(BaseModule):
    """One architectural decision inside a supernet.

    A mutable owns a finite list of ``choices`` and a ``current_choice``.
    Subclasses decide what a choice means (a candidate op, a width, a value)
    and how it is realised; the mutator and the search loops only use this
    interface. Mutables sharing an ``alias`` take one decision together.

    Args:
        alias (str, optional): Name of the decision shared by several
            mutables. Defaults to None (the module's own name).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self, alias: Optional[str] = None, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.alias = alias
        self._is_fixed = False

    @property
    @abstractmethod
    def choices(self) -> List[Any]:
        """All choices of this decision, in a stable order."""

    @property
    @abstractmethod
    def current_choice(self) -> Any:
        """The choice the next forward pass uses."""

    @current_choice.setter
    @abstractmethod
    def current_choice(self, choice: Any) -> None:
        ...

    @abstractmethod
    def fix_chosen(self, chosen: Any) -> None:
        """Freeze the decision to ``chosen``, dropping what it no longer
        needs (unused candidates, unused channels)."""

    @property
    def is_fixed(self) -> bool:
        return self._is_fixed

    def check_switch(self, choice: Any) -> None:
        """:meth:`check_choice`, and refuse to leave the choice a fixed
        mutable is fixed to (its other candidates are gone)."""
        if self.is_fixed and choice != self.current_choice:
            raise RuntimeError(
                f'This {type(self).__name__} is fixed to '
                f'{self.current_choice!r}; it cannot switch to {choice!r}. '
                'Build a new supernet to search.')
        self.check_choice(choice)

    @property
    def num_choices(self) -> int:
        return len(self.choices)

    def check_choice(self, choice: Any) -> None:
        """Raise a ValueError naming the valid choices if ``choice`` is not
        one of them."""
        if choice not in self.choices:
            raise ValueError(
                f'{type(self).__name__}: unknown choice {choice!r}; valid '
                f'choices are {self.choices}. Fix the subnet/config to use '
                f'one of them.')

    def sample_choice(self, rng: Optional[random.Random] = None) -> Any:
        """A uniformly random choice (``rng`` for reproducible searches)."""
        return (rng or random).choice(self.choices)

    def decision_key(self, name: str, owner: Optional[str]) -> str:
        """The decision this mutable takes part in: its alias, else its
        module ``name``. ``owner`` is the name of the nearest mutable that
        contains it (None if none), for mutables that decide per block."""
        return self.alias or name

    def active_param_count(self, count: Callable[[nn.Module], int]) -> int:
        """Parameters the current choice uses, for cost estimation without
        building the subnet. ``count`` counts a submodule the same way (so
        nested mutables answer for themselves). The default counts all of
        them; mutables that skip or slice weights override it."""
        own = sum(p.numel() for p in self.parameters(recurse=False))
        return own + sum(count(m) for m in self.children())

    def export(self) -> Optional[nn.Module]:
        """The plain module this mutable, once fixed, becomes in a static
        subnet; None when it stays as it is (a fixed path choice)."""
        return None

    def dump_chosen(self) -> Dict[str, Any]:
        """The entry that records this decision in a subnet file."""
        return dict(chosen=self.current_choice)

    def extra_repr(self) -> str:
        alias = f', alias={self.alias!r}' if self.alias else ''
        return f'choices={self.choices}, current={self.current_choice!r}' \
            f'{alias}, fixed={self.is_fixed}'
