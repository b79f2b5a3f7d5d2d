"""Loading a config the way every mmnas tool does, with bad input reported
as a UserError."""
import os.path as osp
from typing import Any, Dict, Optional

from mmengine.config import Config, ConfigDict

from .errors import UserError, suggest


def _kind(value: Any) -> str:
    if isinstance(value, (bool, int, float)):
        return 'number'
    if isinstance(value, (list, tuple)):
        return 'list'
    if isinstance(value, dict):
        return 'dict'
    return type(value).__name__


def _check_option_key(cfg: Config, key: str, value: Any = None) -> None:
    """The key must exist; a new value must be of the old one's kind
    (number, string, list, dict) unless one of them is None."""
    node: Any = cfg._cfg_dict
    walked = []
    for part in key.split('.'):
        if isinstance(node, (list, tuple)) and part.isdigit() \
                and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, (dict, ConfigDict)) and part in node:
            node = node[part]
        else:
            keys = list(node.keys()) if isinstance(node, dict) else []
            where = '.'.join(walked) or 'the top level'
            raise UserError(
                f'--cfg-options key {key!r}: {part!r} is not in the config '
                f'at {where}.{suggest(part, keys)} Use an existing key (see '
                'the config file, or its dump in the work dir) or add the '
                'field to a config of your own.')
        walked.append(part)
    if node is not None and value is not None \
            and _kind(node) != _kind(value):
        raise UserError(
            f'--cfg-options {key}={value!r}: the config holds a '
            f'{_kind(node)} there ({node!r}), not a {_kind(value)}. Give a '
            f'{_kind(node)}, e.g. {key}={node!r}.')


class StepOutputMissing(UserError, FileNotFoundError):
    """A file that an earlier step of the pipeline writes is not there."""


def _lookup(cfg: Config, key: str) -> Any:
    node: Any = cfg._cfg_dict
    for part in key.split('.'):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def check_step_outputs(cfg: Config) -> None:
    """Refuse a config whose ``written_by = {key: command}`` names a file
    that does not exist, naming the file and the command that writes it.
    Values that are not paths (a net_config written out) pass."""
    for key, command in (cfg.get('written_by') or {}).items():
        path = _lookup(cfg, key)
        if not isinstance(path, str) or path.lstrip().startswith('[') \
                or osp.isfile(path):
            continue
        raise StepOutputMissing(
            f'{key}={path!r} does not exist: it is written by an earlier '
            f'step, `{command}`. Run that step first, or point {key} at '
            f'its output with --cfg-options {key}=PATH.')


def load_config(path: str,
                cfg_options: Optional[Dict[str, Any]] = None) -> Config:
    """Read ``path`` and merge ``--cfg-options``. Every option key must
    already exist in the config (so a typo cannot silently add a field);
    files that earlier steps write must exist (:func:`check_step_outputs`).
    """
    if not osp.isfile(path):
        raise UserError(f'config file {path!r} does not exist. Pass the path '
                        'of a config, e.g. configs/nas/spos/'
                        'spos_shufflenet_supernet_1xb64_digits.py.')
    try:
        cfg = Config.fromfile(path)
    except (SyntaxError, NameError, KeyError, TypeError, ValueError,
            ImportError, AttributeError) as e:
        raise UserError(f'config {path!r} could not be read: '
                        f'{type(e).__name__}: {e}. Fix the config file.')
    if cfg_options:
        for key, value in cfg_options.items():
            _check_option_key(cfg, key, value)
        cfg.merge_from_dict(cfg_options)
    check_step_outputs(cfg)
    return cfg
