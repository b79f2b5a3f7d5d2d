"""Choice among plain values that a module takes as an attribute (a bit
width): every choice runs the same module, and so the same weights."""
from typing import Any, Callable, List, Optional, Sequence, Union

import torch.nn as nn

from mmnas.registry import MODELS
from .base import BaseMutable


@MODELS.register_module()
class OneShotMutableValue(BaseMutable):
    """Sets ``module.<attribute>`` to the current choice and runs
    ``module``.

    The quantized convs of the SPOS quantization space hold one per bit
    width (weights, activations): one float weight tensor, fake-quantized
    at the chosen bit width on the fly. A module that keeps state per
    value (PACT's per-bit clip) may define ``fix(value)`` to drop the rest
    when the choice is fixed and ``inactive_numel()`` for the parameters
    the current value does not use.

    Args:
        module (dict | nn.Module): The module (or its config).
        attribute (str): The attribute the choice sets.
        choices (Sequence): The values.
        alias (str, optional): Shared decision name.
    """

    def __init__(self,
                 module: Union[dict, nn.Module],
                 attribute: str,
                 choices: Sequence[Any],
                 alias: Optional[str] = None,
                 init_cfg=None) -> None:
        super().__init__(alias=alias, init_cfg=init_cfg)
        choices = list(choices)
        if not choices or len(set(choices)) != len(choices):
            raise ValueError('OneShotMutableValue: choices must be distinct '
                             f'and not empty, got {choices}.')
        self.module = module if isinstance(module,
                                           nn.Module) else MODELS.build(module)
        self.attribute = attribute
        self._choices = choices
        self.current_choice = choices[-1]

    @property
    def choices(self) -> List[Any]:
        return list(self._choices)

    @property
    def current_choice(self) -> Any:
        return getattr(self.module, self.attribute)

    @current_choice.setter
    def current_choice(self, choice: Any) -> None:
        self.check_switch(choice)
        setattr(self.module, self.attribute, choice)

    def fix_chosen(self, chosen: Any) -> None:
        self.current_choice = chosen
        if hasattr(self.module, 'fix'):
            self.module.fix(chosen)
        self._choices = [chosen]
        self._is_fixed = True

    def active_param_count(self, count: Callable[[nn.Module], int]) -> int:
        inactive = getattr(self.module, 'inactive_numel', lambda: 0)()
        return count(self.module) - inactive

    def export(self) -> nn.Module:
        """The module at the chosen value (for static subnets)."""
        return self.module

    def forward(self, *args, **kwargs) -> Any:
        return self.module(*args, **kwargs)
