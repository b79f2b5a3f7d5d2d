"""Wall time of a small SPOS evolution search on digits, split into cost
estimation, BatchNorm recalibration and evaluation.

    python benchmarks/bench_search.py [--generations 2] [--candidates 6]
        [--calibrate-iters 4] [--threads 2] [--device cpu|cuda]
        [--checkpoint SUPERNET.pth]

Runs ``configs/nas/spos/spos_shufflenet_search_1xb64_digits.py`` in process
through the mmengine Runner, as tools/train.py does, with the search loop
replaced by a subclass (defined here, not in the library) that times its
methods: ``_build_estimators`` (the cost table), ``cost`` (every constraint
check of every sampled candidate), ``calibrate_bn`` and the validation pass
(``score`` minus its recalibration). Without ``--checkpoint`` the supernet
has random weights: the scores are meaningless, the times are not.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT,
                  'configs/nas/spos/spos_shufflenet_search_1xb64_digits.py')
PARTS = ('cost_table_build', 'cost', 'calibrate_bn', 'evaluate')


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--generations', type=int, default=2)
    ap.add_argument(
        '--candidates',
        type=int,
        default=6,
        help='candidates scored per generation')
    ap.add_argument(
        '--calibrate-iters',
        type=int,
        default=4,
        help='batches of BN recalibration per candidate')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', default='cpu', help='cpu or cuda')
    ap.add_argument('--checkpoint', help='trained digits supernet')
    ap.add_argument('--work-dir', help='default: a temporary directory')
    return ap.parse_args(argv)


def timed_loop_class():
    """EvolutionSearchLoop with per-part wall clocks (synchronised on
    CUDA so kernel time lands in the part that launched it)."""
    import torch

    from mmnas.engine.loops.evolution_search_loop import EvolutionSearchLoop
    from mmnas.registry import LOOPS

    def sync():
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.synchronize()

    @LOOPS.register_module(force=True)
    class TimedEvolutionSearchLoop(EvolutionSearchLoop):
        times = dict.fromkeys(PARTS + ('total', ), 0.)
        counts = dict(cost_calls=0, scored=0)

        def _clock(self, part, fn, *args):
            sync()
            t = time.perf_counter()
            out = fn(*args)
            sync()
            self.times[part] += time.perf_counter() - t
            return out

        def _build_estimators(self):
            return self._clock('cost_table_build', super()._build_estimators)

        def cost(self, choices):
            self.counts['cost_calls'] += 1
            return self._clock('cost', super().cost, choices)

        def calibrate_bn(self):
            return self._clock('calibrate_bn', super().calibrate_bn)

        def score(self, choices):
            self.counts['scored'] += 1
            calib = self.times['calibrate_bn']
            out = self._clock('evaluate', super().score, choices)
            # score() runs calibrate_bn(); count that part once
            self.times['evaluate'] -= self.times['calibrate_bn'] - calib
            return out

        def run(self):
            return self._clock('total', super().run)

    return TimedEvolutionSearchLoop


def main():
    args = parse_args()
    if args.device == 'cpu':
        os.environ['CUDA_VISIBLE_DEVICES'] = ''  # the Runner picks CUDA
    import torch
    torch.set_num_threads(args.threads)
    from mmengine.runner import Runner

    sys.path.insert(0, osp.join(ROOT, 'tools', 'dataset_converters'))
    from prepare_digits import prepare

    from mmnas import register_all_modules
    from mmnas.utils.config import load_config
    register_all_modules()
    prepare(osp.join(ROOT, 'data', 'digits'))
    loop_cls = timed_loop_class()

    n = args.candidates
    cfg = load_config(CONFIG)
    cfg.train_cfg.update(
        type=loop_cls.__name__,
        max_epochs=args.generations,
        num_candidates=n,
        top_k=min(3, n),
        num_mutation=n // 2,
        num_crossover=n // 2,
        calibrate_bn_iters=args.calibrate_iters)
    cfg.load_from = args.checkpoint
    cfg.log_level = 'WARNING'
    cfg.default_hooks.checkpoint = None  # nothing to save but the result
    with tempfile.TemporaryDirectory() as tmp:
        cfg.work_dir = args.work_dir or tmp
        os.chdir(ROOT)  # the config's data_root is relative
        Runner.from_cfg(cfg).train()

    times, counts = loop_cls.times, loop_cls.counts
    other = times['total'] - sum(times[p] for p in PARTS)
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'\n# {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; '
          f'torch {torch.__version__}; threads {args.threads}; device '
          f'{args.device}; load average {load}; {args.generations} '
          f'generations x {n} candidates, {args.calibrate_iters} BN '
          f'batches each; {counts["scored"]} scored, '
          f'{counts["cost_calls"]} cost checks')
    print('| part | s | % of search | per call |')
    print('|---|---|---|---|')
    per = dict(
        cost_table_build='',
        other='',
        cost=f'{1e6 * times["cost"] / max(counts["cost_calls"], 1):.1f}'
        ' us/check',
        calibrate_bn=f'{times["calibrate_bn"] / max(counts["scored"], 1):.3f}'
        ' s/candidate',
        evaluate=f'{times["evaluate"] / max(counts["scored"], 1):.3f}'
        ' s/candidate')
    for part in PARTS + ('other', ):
        t = other if part == 'other' else times[part]
        print(f'| {part} | {t:.3f} | {100 * t / times["total"]:.1f} | '
              f'{per[part]} |')
    print(f'| total | {times["total"]:.3f} | 100 | |')
    print('RESULT: ' + ', '.join(f'{p} {100 * times[p] / times["total"]:.1f}%'
                                 for p in PARTS) +
          f', other {100 * other / times["total"]:.1f}% of '
          f'{times["total"]:.1f} s')


if __name__ == '__main__':
    main()
