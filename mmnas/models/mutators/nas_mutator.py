"""Finds the mutables of a supernet and drives them as one search space."""
import random
import re
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

import torch.nn as nn

from mmnas.registry import TASK_UTILS
from mmnas.utils.errors import UserError, suggest
from ..mutables import BaseMutable, DiffMutable, OneShotMutableOP


class SearchSpaceError(UserError, ValueError):
    """Choices that do not fit the search space (subnet file or config)."""


def mmrazor_name(key: str) -> str:
    """This toolkit's name of a decision named as MMRazor does: 0.x
    ``stage_{i}_block_{j}`` and 1.x MobileNet ``backbone.layer{i+1}.{j}``
    are ``backbone.layers.{i}.{j}``; ``architecture.`` is dropped."""
    m = re.fullmatch(r'stage_(\d+)_block_(\d+)', key)
    if m:
        return f'backbone.layers.{m[1]}.{m[2]}'
    if key.startswith('architecture.'):
        key = key[len('architecture.'):]
    return re.sub(r'^backbone\.layer(\d+)\.',
                  lambda m: f'backbone.layers.{int(m[1]) - 1}.', key)


@TASK_UTILS.register_module()
class NasMutator:
    """Groups the mutables of a model into decisions and sets them.

    A decision (search group) is keyed by ``mutable.decision_key``: the
    mutables' shared ``alias``, or the module name of a mutable that has
    none (a channel mutable: ``<block>.channel``). All members of a group
    must offer the same choices.
    """

    def __init__(self) -> None:
        self._groups: 'OrderedDict[str, List[Tuple[str, BaseMutable]]]' = \
            OrderedDict()

    def prepare_from_supernet(self, supernet: nn.Module) -> None:
        groups: 'OrderedDict[str, List[Tuple[str, BaseMutable]]]' = \
            OrderedDict()
        seen: List[str] = []  # mutable names, containers first
        for name, module in supernet.named_modules():
            if isinstance(module, BaseMutable):
                owner = next(
                    (o for o in reversed(seen) if name.startswith(o + '.')),
                    None)
                key = module.decision_key(name, owner)
                groups.setdefault(key, []).append((name, module))
                seen.append(name)
        for key, members in groups.items():
            first_name, first = members[0]
            for name, mutable in members[1:]:
                if mutable.choices != first.choices:
                    raise SearchSpaceError(
                        f'alias {key!r}: layer {name!r} has choices '
                        f'{mutable.choices} but layer {first_name!r} has '
                        f'{first.choices}. Layers sharing an alias must '
                        'offer identical choices: give them the same '
                        'candidates or different aliases.')
        self._groups = groups

    @property
    def search_groups(self) -> 'OrderedDict[str, List[BaseMutable]]':
        return OrderedDict(
            (k, [m for _, m in v]) for k, v in self._groups.items())

    def group_members(self, key: str) -> List[str]:
        """Module names of the mutables of one decision."""
        return [name for name, _ in self._groups[key]]

    @property
    def mutables(self) -> List[BaseMutable]:
        return [m for v in self._groups.values() for _, m in v]

    def choices_of(self, key: str) -> List[Any]:
        return self._groups[key][0][1].choices

    def search_space(self) -> 'OrderedDict[str, Dict[str, Any]]':
        """Serialisable description: decision -> type, choices, layers."""
        space = OrderedDict()
        for key, members in self._groups.items():
            first = members[0][1]
            space[key] = dict(
                type=type(first).__name__,
                choices=list(first.choices),
                modules=[name for name, _ in members])
        return space

    @property
    def current_choices(self) -> Dict[str, Any]:
        return OrderedDict(
            (k, v[0][1].current_choice) for k, v in self._groups.items())

    def argmax_choices(self) -> Dict[str, Any]:
        """``{decision: choice}`` with every differentiable decision at its
        argmax and every other one at its current choice (the derived
        subnet of a differentiable search)."""
        return {
            key: members[0].argmax_choice if isinstance(
                members[0], DiffMutable) else members[0].current_choice
            for key, members in self.search_groups.items()
        }

    def sample_choices(self,
                       rng: Optional[random.Random] = None) -> Dict[str, Any]:
        """One uniformly random choice per decision."""
        return OrderedDict(
            (k, v[0][1].sample_choice(rng)) for k, v in self._groups.items())

    def reference_choices(self) -> Dict[str, Any]:
        """The ``reference_choice`` of every op decision (whose candidates
        hold weights of their own): the path a supernet warm start trains
        alone. Channel decisions slice one shared weight, so their choices
        never drift apart and are left out."""
        return OrderedDict((k, v[0][1].reference_choice)
                           for k, v in self._groups.items()
                           if isinstance(v[0][1], OneShotMutableOP))

    def inherit_weights(self, choices: Dict[str, Any]) -> None:
        """Copy each op decision's chosen candidate into its other
        candidates (:meth:`OneShotMutableOP.inherit_from`); channel
        decisions share one weight already."""
        self.validate_choices(choices, partial=True)
        for key, choice in choices.items():
            for _, mutable in self._groups[key]:
                if isinstance(mutable, OneShotMutableOP):
                    mutable.inherit_from(choice)

    def space_names(self, choices: Dict[str, Any]) -> Dict[str, Any]:
        """``choices`` with MMRazor's decision names (see
        :func:`mmrazor_name`) renamed to this space's where it has them."""
        out = OrderedDict()
        for key, choice in choices.items():
            if key not in self._groups and mmrazor_name(key) in self._groups:
                key = mmrazor_name(key)
            if key in out:
                raise SearchSpaceError(
                    f'the subnet names decision {key!r} twice (once in '
                    'MMRazor\'s naming): keep one entry per decision.')
            out[key] = choice
        return out

    def validate_choices(self,
                         choices: Dict[str, Any],
                         partial: bool = False) -> None:
        """Raise one SearchSpaceError listing every entry that does not fit:
        unknown decision, missing decision, unknown choice."""
        problems = []
        choices = self.space_names(choices)
        for key, choice in choices.items():
            if key not in self._groups:
                read_as = mmrazor_name(key)
                problems.append(f'unknown mutable {key!r}' + (
                    f' (MMRazor\'s name of {read_as!r}, which this space '
                    'does not have)' if read_as != key else '') +
                                suggest(read_as, self._groups))
            elif choice not in self.choices_of(key):
                problems.append(f'{key!r}: unknown choice {choice!r} (valid: '
                                f'{self.choices_of(key)})' +
                                suggest(choice, self.choices_of(key)))
        if not partial:
            missing = [key for key in self._groups if key not in choices]
            bits = [
                key for key in missing
                if getattr(self._groups[key][0][1], 'attribute', '') == 'bits'
            ]
            if bits and len(bits) == len(missing):
                problems.append(
                    f'no bit widths for the {len(bits)} bit-width decisions '
                    f'of this quantized space (e.g. {bits[0]!r}); a subnet '
                    'of it names the weight (w_quant) and input (a_quant) '
                    f'bit width of every searched conv, e.g. "{bits[0]}: '
                    '{chosen: 4}" (the search of configs/nas/spos_quant/ '
                    'writes such files)')
            else:
                problems += [f'missing mutable {key!r}' for key in missing]
        if problems:
            raise SearchSpaceError(
                'The subnet does not fit this search space:\n  - ' +
                '\n  - '.join(problems) +
                '\nUse a subnet file written for this search space (e.g. by '
                'the search of this config) or fix the entries above.')

    def set_choices(self,
                    choices: Dict[str, Any],
                    partial: bool = False) -> None:
        self.validate_choices(choices, partial=partial)
        for key, choice in self.space_names(choices).items():
            for _, mutable in self._groups[key]:
                mutable.current_choice = choice

    def fix_choices(self, choices: Dict[str, Any]) -> None:
        """Set and freeze every decision (drops unused candidates)."""
        self.validate_choices(choices)
        for key, choice in self.space_names(choices).items():
            for _, mutable in self._groups[key]:
                mutable.fix_chosen(choice)
