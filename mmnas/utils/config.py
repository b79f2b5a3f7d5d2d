"""Loading a config the way every mmnas tool does, with bad input reported
as a UserError; the command-line arguments the tools share; and the
``--cfg-options`` that run a tool on a config with other data or another
schedule (the benchmarks)."""
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


class TextOnceConfig(Config):
    """mmengine's ``Config``, formatting its text once per content.

    A runner asks for ``pretty_text`` to dump the config, to log it, for its
    message hub and for every checkpoint's meta, and each time yapf formats
    the whole text again: a second or more of a short run, more with long
    paths in the config. The text is kept with the content it was made from
    and made again when the content changes.
    """

    @classmethod
    def of(cls, cfg: Config) -> 'TextOnceConfig':
        """``cfg`` as this class, sharing its content."""
        other = cls.__new__(cls)
        other.__dict__.update(cfg.__dict__)
        return other

    @property
    def pretty_text(self) -> str:
        content = repr(self.to_dict())
        kept = self.__dict__.get('_pretty_text_of')
        if kept is None or kept[0] != content:
            kept = (content, super().pretty_text)
            object.__setattr__(self, '_pretty_text_of', kept)
        return kept[1]


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
        cfg = TextOnceConfig.of(Config.fromfile(path))
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


# -- option dicts for running a tool on a config (the benchmarks) --
def options(opts):
    """``--cfg-options`` arguments of a dict (none for an empty one)."""
    return ['--cfg-options'] + [f'{k}={v}' for k, v in opts.items()] \
        if opts else []


def _walk(node, prefix, found, match):
    if isinstance(node, dict):
        found += [prefix + k for k in match(node)]
        for k, v in node.items():
            _walk(v, f'{prefix}{k}.', found, match)
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            _walk(v, f'{prefix}{i}.', found, match)


def find_keys(config, match):
    """Option keys of ``config`` that ``match(dict)`` names in a dict."""
    found = []
    _walk(config_dict(config), '', found, match)
    return found


def config_dict(config):
    """``config`` (a file) as plain dicts, its bases merged."""
    return Config.fromfile(config).to_dict()


def data_options(config, train_root=None, root=None):
    """Point every dataset of ``config`` (training, calibration,
    validation) at ``root``, then its training datasets at ``train_root``.
    """

    def roots(train_only):
        return lambda d: ['data_root'] if 'data_root' in d and (
            not train_only or d.get('data_prefix') == 'train') else []

    opts = {}
    for path, train_only in ((root, False), (train_root, True)):
        if path is not None:
            opts.update(
                dict.fromkeys(find_keys(config, roots(train_only)), path))
    return opts


def classes_options(config, num_classes, mean, std):
    """Fit ``config``'s heads (and their losses) to ``num_classes`` classes
    and its data preprocessors to a dataset's per-channel ``mean`` and
    ``std``."""
    values = dict(num_classes=num_classes, mean=mean, std=std)

    def match(d):
        heads = ['num_classes'] if 'num_classes' in d else []
        return heads + (['mean', 'std'] if 'mean' in d and 'std' in d else [])

    return {
        key: values[key.rsplit('.', 1)[-1]]
        for key in find_keys(config, match)
    }


def no_workers_options(config):
    """Load data in the main process (``--quick``: starting workers costs
    more than the few batches they would load)."""
    keys = find_keys(
        config,
        lambda d: [k for k in ('num_workers', 'persistent_workers') if k in d])
    return {k: 0 if k.endswith('num_workers') else False for k in keys}


def _scale(value, factor, minimum=1):
    return max(minimum, int(round(value * factor)))


def schedule_options(config, epochs, extra_keys=()):
    """Options that run ``config`` for ``epochs`` epochs: the epoch count,
    one validation and one checkpoint at the end, and the scheduler phases
    (and ``extra_keys``, e.g. DSNAS' phase epochs) scaled in proportion.

    A phase boundary inside the schedule stays inside it (at least one epoch
    from either end when there is room), so a warm-up keeps an epoch and
    phases that met still meet; a cosine phase whose ``T_max`` spanned it
    still spans it."""
    if epochs is None:
        return {}
    cfg = config_dict(config)
    old = cfg['train_cfg']['max_epochs']
    factor = epochs / old

    def edge(value):
        if value <= 0 or value >= old:
            return _scale(value, factor, 0)
        return min(max(1, epochs - 1), _scale(value, factor))

    opts = {'train_cfg.max_epochs': epochs}
    if 'val_interval' in cfg['train_cfg']:
        opts['train_cfg.val_interval'] = epochs
    ckpt = cfg.get('default_hooks', {}).get('checkpoint')
    if isinstance(ckpt, dict) and 'interval' in ckpt:
        opts['default_hooks.checkpoint.interval'] = epochs
    sched = cfg.get('param_scheduler') or []
    groups = sched.items() if isinstance(sched, dict) else [(None, sched)]
    for group, phases in groups:
        for i, phase in enumerate(phases or []):
            base = f'param_scheduler.{group + "." if group else ""}{i}.'
            begin = edge(phase.get('begin', 0))
            if phase.get('begin'):
                opts[base + 'begin'] = begin
            end = phase.get('end')
            if end is not None:  # a phase keeps one epoch
                end = opts[base + 'end'] = max(begin + 1, edge(end))
            t_max = phase.get('T_max')
            if t_max is not None:
                spans = end is not None and t_max == phase['end'] - phase.get(
                    'begin', 0)
                opts[base + 'T_max'] = (
                    end - begin if spans else _scale(t_max, factor))
    for key in extra_keys:
        node = cfg
        for part in key.split('.'):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, int) and not isinstance(node, bool):
            opts[key] = min(epochs, _scale(node, factor, 0))
    return opts


# -- command-line arguments the tools share --
def add_cfg_options_argument(parser) -> None:
    """``--cfg-options k=v ...``: config overrides, checked by
    :func:`load_config`."""
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys (they must exist)')


def add_shape_argument(parser,
                       help: str = 'input size',
                       required: bool = False) -> None:
    """``--shape H W``: the input size (batch 1), 224x224 unless
    ``required``."""
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        metavar=('H', 'W'),
        help=help,
        **(dict(required=True) if required else dict(default=[224, 224])))
