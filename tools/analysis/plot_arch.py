"""Architecture-parameter heatmaps of a differentiable search, as a PNG.

DSNAS (the ``arch_distribution.jsonl`` that ArchDistributionHook writes):

    python tools/analysis/plot_arch.py WORK_DIR/arch_distribution.jsonl \
        --out arch.png

DenseNAS (a search config and a checkpoint of it):

    python tools/analysis/plot_arch.py CONFIG CHECKPOINT --out arch.png

DSNAS: entropy per layer and epoch, and the last probabilities per layer and
choice (:func:`mmnas.engine.hooks.plot_arch_history`). DenseNAS: softmax of
alpha per op layer (head ops on the edges, stack ops in the blocks) with the
argmax marked, and softmax of beta per routing block (the probability of
each outgoing path) with the derived path (Viterbi) outlined; the title
gives the derived path and its net_config.
"""
import argparse
import sys

from mmnas.utils import UserError, cli_main
from mmnas.utils.plotting import pyplot, save_png


def load_densenas(config: str, checkpoint: str, cfg_options=None):
    """The DenseNAS algorithm of ``config`` with ``checkpoint``'s weights."""
    from mmengine.runner import load_checkpoint

    from mmnas import register_all_modules
    from mmnas.models.algorithms.densenas import DenseNAS
    from mmnas.registry import MODELS
    from mmnas.utils.checkpoint_io import check_checkpoint
    from mmnas.utils.config import load_config
    register_all_modules()
    cfg = load_config(config, cfg_options)
    model = MODELS.build(cfg.model)
    if not isinstance(model, DenseNAS):
        raise UserError(f'{config!r} builds a {type(model).__name__}; pass a '
                        'DenseNAS search config (or, for DSNAS, the '
                        'arch_distribution.jsonl of its work dir).')
    check_checkpoint(checkpoint)
    load_checkpoint(
        model, checkpoint, map_location='cpu', strict=True, logger='silent')
    return model


def plot_densenas(model, out: str, title: str = '') -> str:
    plt = pyplot()
    import numpy as np
    from matplotlib.patches import Rectangle

    net = model.supernet
    ops = net.op_mutables()
    choices, net_config = model.derive()
    local = net.derive_choices()
    path = net.best_path()
    on_path = {f'edges.{i}_{j}' for i, j in zip(path[:-1], path[1:])}
    on_path |= {
        f'stacks.{j}.{n}'
        for j in path[1:] for n in range(len(net.stacks[j]))
    }
    names = list(ops)
    columns = []
    for m in ops.values():
        columns += [c for c in m.arch_choices if c not in columns]
    alpha = np.full((len(names), len(columns)), np.nan)
    for r, name in enumerate(names):
        probs = ops[name].probs().detach().tolist()
        for c, p in zip(ops[name].arch_choices, probs):
            alpha[r, columns.index(c)] = p
    n = net.num_blocks
    beta = np.full((n - 1, n), np.nan)
    for i in range(n - 1):
        for k, j in enumerate(net.succ[i]):
            beta[i, j] = net.paths[str(i)].weights()[k].item()

    height = max(5.0, 0.22 * len(names) + 1.8)
    fig, (ax0, ax1) = plt.subplots(
        1, 2, figsize=(14, height), gridspec_kw=dict(width_ratios=[3, 2]))
    cmap = plt.get_cmap('magma').copy()
    cmap.set_bad('#dddddd')
    im0 = ax0.imshow(alpha, aspect='auto', cmap=cmap, vmin=0, vmax=1)
    ax0.set_title(
        'alpha: op probabilities (bold: argmax; grey: not a '
        'candidate)',
        fontsize=10)
    ax0.set_xticks(
        range(len(columns)), columns, rotation=30, ha='right', fontsize=8)
    labels = [f'{"> " if k in on_path else ""}{k}' for k in names]
    ax0.set_yticks(range(len(names)), labels, fontsize=7)
    for r, name in enumerate(names):
        for c, p in enumerate(alpha[r]):
            if np.isnan(p):
                continue
            best = columns[c] == local[name]
            ax0.text(
                c,
                r,
                f'{p:.2f}',
                ha='center',
                va='center',
                fontsize=6,
                color='black' if p > 0.5 else 'white',
                fontweight='bold' if best else 'normal')
    fig.colorbar(im0, ax=ax0, fraction=0.04)
    ax0.set_ylabel('op layer ("> ": on the derived path)')

    im1 = ax1.imshow(beta, aspect='auto', cmap=cmap, vmin=0, vmax=1)
    ax1.set_title(
        'beta: path probabilities (outlined: derived path)', fontsize=10)
    ax1.set_xticks(
        range(n), [f'{j}\n{w}ch' for j, w in enumerate(net.widths)],
        fontsize=7)
    ax1.set_yticks(
        range(n - 1), [f'block {i}' for i in range(n - 1)], fontsize=8)
    ax1.set_xlabel('to block (width)')
    for i in range(n - 1):
        for j in net.succ[i]:
            ax1.text(
                j,
                i,
                f'{beta[i, j]:.2f}',
                ha='center',
                va='center',
                fontsize=7,
                color='black' if beta[i, j] > 0.5 else 'white')
    for i, j in zip(path[:-1], path[1:]):
        ax1.add_patch(
            Rectangle((j - 0.5, i - 0.5),
                      1,
                      1,
                      fill=False,
                      ec='deepskyblue',
                      lw=2.5))
    fig.colorbar(im1, ax=ax1, fraction=0.05)
    fig.suptitle(
        f'{title}  derived path: blocks '
        f'{" -> ".join(map(str, path))}',
        fontsize=11)
    fig.tight_layout()
    return save_png(fig, out)


@cli_main
def main(argv=None):
    from mmnas.utils.config import add_cfg_options_argument
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'source',
        help='arch_distribution.jsonl (DSNAS) or '
        'a DenseNAS search config')
    parser.add_argument(
        'checkpoint', nargs='?', help='checkpoint of the DenseNAS config')
    parser.add_argument('--out', required=True, help='PNG to write')
    add_cfg_options_argument(parser)
    args = parser.parse_args(argv)
    if args.source.endswith('.jsonl'):
        from mmnas.engine.hooks import plot_arch_history
        out = plot_arch_history(args.source, args.out)
    elif args.checkpoint is None:
        raise UserError('a DenseNAS config needs its CHECKPOINT (e.g. '
                        'WORK_DIR/epoch_N.pth); for DSNAS pass the '
                        'arch_distribution.jsonl of the work dir.')
    else:
        model = load_densenas(args.source, args.checkpoint, args.cfg_options)
        import os.path as osp
        out = plot_densenas(model, args.out, osp.basename(args.checkpoint))
    print(f'heatmap written to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
