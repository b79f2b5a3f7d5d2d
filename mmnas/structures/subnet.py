"""Subnet files: which choice each decision of a search space takes.

The format is MMRazor 1.x's, so its published subnet files load unchanged::

    backbone.layers.0.0:
      chosen: shuffle_7x7

Keys are mutable names (module paths inside the architecture) or aliases.
YAML and JSON are both read and written; writes are atomic.
"""
import json
import os
import os.path as osp
from collections import OrderedDict
from typing import Any, Dict, Union

import yaml

from mmnas.utils.errors import UserError
from mmnas.utils.io import atomic_write

SubnetChoices = Dict[str, Any]


class SubnetFileError(UserError, ValueError):
    """A subnet file that cannot be read as a subnet."""


def _entry_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        if 'chosen' not in value:
            raise SubnetFileError(
                f'entry {key!r} has no "chosen" field: write it as '
                f'"{key}: {{chosen: <choice>}}"')
        value = value['chosen']
    # MMRazor 0.x wrote single choices as one-element lists
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def load_subnet(subnet: Union[str, Dict]) -> SubnetChoices:
    """Read a subnet from a YAML/JSON file or a dict into
    ``{decision: choice}``."""
    source = subnet
    if isinstance(subnet, str):
        if not osp.isfile(subnet):
            raise FileNotFoundError(
                f'subnet file {subnet!r} does not exist: pass the path of a '
                'YAML/JSON subnet file (e.g. the best_subnet.yaml a search '
                'wrote).')
        with open(subnet) as f:
            text = f.read()
        try:
            subnet = json.loads(text) if subnet.endswith('.json') else \
                yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as e:
            raise SubnetFileError(
                f'subnet file {source!r} is not valid YAML/JSON ({e}); '
                'rewrite it as "<mutable>: {chosen: <choice>}" lines.')
    if not isinstance(subnet, dict) or not subnet:
        raise SubnetFileError(
            f'subnet {source!r} must map mutable names to choices, got '
            f'{type(subnet).__name__}')
    return OrderedDict(
        (str(k), _entry_value(str(k), v)) for k, v in subnet.items())


def dump_subnet(choices: SubnetChoices, path: str) -> str:
    """Write ``{decision: choice}`` in the MMRazor format (YAML, or JSON by
    extension), atomically. Returns the path."""
    data = {k: dict(chosen=_plain(v)) for k, v in choices.items()}
    if path.endswith('.json'):
        text = json.dumps(data, indent=2) + '\n'
    else:
        text = yaml.safe_dump(data, sort_keys=False)
    d = osp.dirname(osp.abspath(path))
    os.makedirs(d, exist_ok=True)
    atomic_write(path, text)
    return path


def _plain(value: Any) -> Any:
    """Numbers and strings as YAML/JSON scalars (numpy/torch included)."""
    if hasattr(value, 'item'):
        return value.item()
    return value
