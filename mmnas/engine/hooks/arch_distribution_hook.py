"""Records how a differentiable search's architecture distribution evolves,
and plots it."""
import json
import math
import os.path as osp
from typing import Dict, List

from mmengine.hooks import Hook

from mmnas.engine.utils import runner_model
from mmnas.models.mutables import DiffMutable
from mmnas.registry import HOOKS
from mmnas.utils import UserError, atomic_write
from mmnas.utils.plotting import pyplot, save_png


def arch_distribution(mutator) -> Dict[str, Dict]:
    """Per differentiable decision: its choices, softmax probabilities,
    entropy (nats) and argmax choice."""
    layers = {}
    for key, members in mutator.search_groups.items():
        mutable = members[0]
        if not isinstance(mutable, DiffMutable):
            continue
        probs = mutable.probs().tolist()
        layers[key] = dict(
            choices=mutable.arch_choices,
            probs=[round(p, 6) for p in probs],
            entropy=round(-sum(p * math.log(p) for p in probs if p > 0), 6),
            argmax=mutable.argmax_choice)
    return layers


def read_arch_history(path: str) -> List[Dict]:
    """The records of an ``arch_distribution.jsonl`` file."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path!r} does not exist: pass the arch_distribution.jsonl '
            'that ArchDistributionHook wrote in the work dir.')
    records = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                record['epoch'], record['layers']
            except (ValueError, TypeError, KeyError) as e:
                raise UserError(
                    f'{path}:{n} is not an architecture record ({e}); use '
                    'a file written by ArchDistributionHook.')
            records.append(record)
    if not records:
        raise UserError(f'{path!r} holds no record; train at least one '
                        'epoch with ArchDistributionHook.')
    return records


@HOOKS.register_module()
class ArchDistributionHook(Hook):
    """Write one JSON line per epoch (``epoch`` = epochs done, 0 = before
    training) to ``<work_dir>/arch_distribution.jsonl`` with
    :func:`arch_distribution` of the model's mutator. The file is rewritten
    atomically each time; on resume, records of later epochs are dropped."""

    priority = 'LOW'
    filename = 'arch_distribution.jsonl'

    def before_train(self, runner) -> None:
        self.path = osp.join(runner.work_dir, self.filename)
        self.records = []
        if osp.isfile(self.path) and runner.epoch > 0:
            self.records = [
                r for r in read_arch_history(self.path)
                if r['epoch'] <= runner.epoch
            ]
        if runner.epoch == 0:
            self._record(runner, 0)

    def after_train_epoch(self, runner) -> None:
        self._record(runner, runner.epoch + 1)

    def _record(self, runner, epoch: int) -> None:
        if runner.rank != 0:
            return
        model = runner_model(runner)
        self.records.append(
            dict(epoch=epoch, layers=arch_distribution(model.mutator)))
        atomic_write(self.path,
                     ''.join(json.dumps(r) + '\n' for r in self.records))


def plot_arch_history(path: str, out: str) -> str:
    """Plot an ``arch_distribution.jsonl`` as a PNG: entropy per layer and
    epoch (left) and the last epoch's probabilities per layer and choice
    with the argmax marked (right). Returns ``out``."""
    plt = pyplot()
    import numpy as np

    records = read_arch_history(path)
    layers = list(records[-1]['layers'])
    epochs = [r['epoch'] for r in records]
    entropy = np.array(
        [[r['layers'].get(k, {}).get('entropy', np.nan) for r in records]
         for k in layers])
    last = records[-1]['layers']
    choices = last[layers[0]]['choices']
    probs = np.array([last[k]['probs'] for k in layers])

    height = max(3.0, 0.28 * len(layers) + 1.5)
    fig, (ax0, ax1) = plt.subplots(
        1, 2, figsize=(12, height), gridspec_kw=dict(width_ratios=[3, 2]))
    # scaled from the lowest entropy seen up to uniform (log #choices), so
    # the small moves of a short search stay visible
    uniform = math.log(len(choices))
    low = float(np.nanmin(entropy))
    im0 = ax0.imshow(
        entropy,
        aspect='auto',
        cmap='viridis',
        vmin=min(low, uniform - 1e-3),
        vmax=uniform)
    ax0.set_title(f'entropy of softmax(arch_param) [nats]; '
                  f'uniform = {uniform:.3f}')
    ax0.set_xlabel('epochs done')
    ax0.set_xticks(range(len(epochs)), epochs)
    ax0.set_yticks(range(len(layers)), layers, fontsize=7)
    fig.colorbar(im0, ax=ax0)
    im1 = ax1.imshow(
        probs,
        aspect='auto',
        cmap='magma',
        vmin=0,
        vmax=max(0.5, float(probs.max())))
    ax1.set_title(f'probabilities after epoch {epochs[-1]}')
    ax1.set_xticks(
        range(len(choices)), choices, rotation=30, ha='right', fontsize=8)
    ax1.set_yticks(range(len(layers)), [''] * len(layers))
    for i, k in enumerate(layers):
        for j, p in enumerate(probs[i]):
            best = choices[j] == last[k]['argmax']
            ax1.text(
                j,
                i,
                f'{p:.2f}',
                ha='center',
                va='center',
                fontsize=7,
                color='black' if p > 0.6 * probs.max() else 'white',
                fontweight='bold' if best else 'normal')
    fig.colorbar(im1, ax=ax1)
    fig.tight_layout()
    return save_png(fig, out)
