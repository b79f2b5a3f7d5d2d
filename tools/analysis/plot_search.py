"""Draw an evolution search (EvolutionSearchLoop work dir) as a PNG.

    python tools/analysis/plot_search.py WORK_DIR [--out PNG] [--x flops]

Left: the score of every scored candidate against its cost, coloured by
generation, with the Pareto front (no other candidate is both cheaper and
better), the cost limit of the search and the chosen subnet. Right: the
best score and the top-k mean after each generation. Reads
``search_log.jsonl`` (and ``search_result.json`` / the config dump when
present), so it also draws a search that is still running.
"""
import argparse
import glob
import json
import os.path as osp
import sys
from typing import Dict, List

from mmnas.utils import UserError, cli_main
from mmnas.utils.plotting import pyplot, save_png

UNITS = dict(flops='MFLOPs', params='M params', latency='ms')


def read_log(work_dir: str) -> List[Dict]:
    path = osp.join(work_dir, 'search_log.jsonl')
    if not osp.isfile(path):
        raise UserError(f'{path!r} does not exist: pass the --work-dir of '
                        'an evolution search (EvolutionSearchLoop).')
    entries = []
    with open(path) as f:
        for line in f:
            try:
                entries.append(json.loads(line))
            except ValueError:  # a line cut short by a kill
                continue
    if not entries:
        raise UserError(f'{path!r} holds no scored candidate yet; wait for '
                        'the first candidates of the search.')
    return entries


def pareto_front(points: List[tuple]) -> List[tuple]:
    """The (cost, score) points no other point beats in both, by cost."""
    front, best = [], float('-inf')
    for cost, score in sorted(points, key=lambda p: (p[0], -p[1])):
        if score > best:
            front.append((cost, score))
            best = score
    return front


def history(work_dir: str, entries: List[Dict]) -> List[Dict]:
    """Per generation: best score so far and top-k mean, from
    ``search_result.json`` or, for an unfinished search, from the log."""
    result = osp.join(work_dir, 'search_result.json')
    if osp.isfile(result):
        with open(result) as f:
            return json.load(f)['history']
    hist, scores = [], []
    for epoch in sorted({e['epoch'] for e in entries}):
        scores += [e['score'] for e in entries if e['epoch'] == epoch]
        hist.append(dict(epoch=epoch, best_score=max(scores), top_k_mean=None))
    return hist


def search_settings(work_dir: str) -> Dict:
    """train_cfg of the config dump in the work dir ({} if none)."""
    from mmengine.config import Config
    for path in sorted(glob.glob(osp.join(work_dir, '*.py'))):
        try:
            cfg = Config.fromfile(path)
        except Exception:  # noqa: BLE001 (not a config dump)
            continue
        if cfg.get('train_cfg', {}).get('type') == 'EvolutionSearchLoop':
            return cfg.train_cfg
    return {}


def chosen(work_dir: str, entries: List[Dict]) -> Dict:
    """The log entry of best_subnet.yaml (else the best scored one)."""
    best = max(entries, key=lambda e: e['score'])
    path = osp.join(work_dir, 'best_subnet.yaml')
    if osp.isfile(path):
        from mmnas.structures import load_subnet
        subnet = load_subnet(path)
        for e in entries:
            if e['choices'] == subnet:
                return e
    return best


def plot(work_dir: str, out: str, x: str = 'flops') -> str:
    plt = pyplot()

    entries = read_log(work_dir)
    if x not in entries[0]:
        raise UserError(f'--x {x}: the log has no {x!r} cost; use one of '
                        f'{[k for k in UNITS if k in entries[0]]}.')
    settings = search_settings(work_dir)
    score_key = settings.get('score_key', 'score')
    gens = sorted({e['epoch'] for e in entries})

    fig, (ax0, ax1) = plt.subplots(
        1, 2, figsize=(13, 5.2), gridspec_kw=dict(width_ratios=[3, 2]))
    cmap = plt.get_cmap('viridis', max(len(gens), 2))
    sc = ax0.scatter([e[x] for e in entries], [e['score'] for e in entries],
                     c=[e['epoch'] + 1 for e in entries],
                     cmap=cmap,
                     vmin=0.5,
                     vmax=max(gens) + 1.5,
                     s=22,
                     alpha=0.8,
                     edgecolors='none',
                     label='scored candidate')
    cbar = fig.colorbar(sc, ax=ax0, ticks=[g + 1 for g in gens])
    cbar.set_label('generation')
    front = pareto_front([(e[x], e['score']) for e in entries])
    ax0.step([p[0] for p in front], [p[1] for p in front],
             where='post',
             color='tab:red',
             lw=1.5,
             label='Pareto front')
    ax0.plot([p[0] for p in front], [p[1] for p in front],
             'o',
             mfc='none',
             mec='tab:red',
             ms=7)
    limit = (settings.get('constraints_range') or {}).get(x)
    bounds = [b for b in (limit or ()) if b]
    for i, bound in enumerate(bounds):
        ax0.axvline(
            bound,
            ls='--',
            color='grey',
            lw=1,
            label=None if i else f'{x} limit {tuple(limit)}')
    best = chosen(work_dir, entries)
    ax0.plot(
        best[x],
        best['score'],
        '*',
        ms=18,
        color='gold',
        mec='black',
        label=f'chosen: {best["score"]:.2f} at {best[x]:.3f}')
    ax0.set_xlabel(f'{x} [{UNITS.get(x, "")}]')
    ax0.set_ylabel(score_key)
    ax0.set_title(f'{len(entries)} candidates scored in {len(gens)} '
                  'generations')
    ax0.grid(alpha=0.3)
    ax0.legend(
        loc='upper center', bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)

    hist = history(work_dir, entries)
    steps = [h['epoch'] + 1 for h in hist]
    ax1.plot(steps, [h['best_score'] for h in hist], 'o-', label='best so far')
    if all(h.get('top_k_mean') is not None for h in hist):
        ax1.plot(
            steps, [h['top_k_mean'] for h in hist],
            's--',
            label=f'top-{settings.get("top_k", "k")} mean')
    ax1.set_xlabel('generation')
    ax1.set_ylabel(score_key)
    ax1.set_xticks(steps)
    ax1.set_title('progress per generation')
    ax1.grid(alpha=0.3)
    ax1.legend(loc='lower right', fontsize=8)
    fig.suptitle(osp.basename(osp.normpath(work_dir)))
    fig.tight_layout()
    return save_png(fig, out)


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='work dir of an evolution search')
    parser.add_argument('--out', help='PNG (default WORK_DIR/search.png)')
    parser.add_argument(
        '--x',
        default='flops',
        choices=sorted(UNITS),
        help='cost on the x axis')
    args = parser.parse_args(argv)
    out = args.out or osp.join(args.work_dir, 'search.png')
    print(f'search plot written to {plot(args.work_dir, out, args.x)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
