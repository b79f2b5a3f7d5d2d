"""Wall time of a small SPOS evolution search on digits, split into cost
estimation, data, BatchNorm recalibration and evaluation; with
``--peer-python``, seconds per candidate against MMRazor 1.0's
EvolutionSearchLoop.

    python benchmarks/bench_search.py [--generations 2] [--candidates 6]
        [--calibrate-iters 4] [--threads 2] [--device cpu|cuda]
        [--checkpoint SUPERNET.pth]
    python benchmarks/bench_search.py --peer-python PY [--candidates 4]
        [--calibrate-iters 2] [--batch 32] [--size 32] [--threads 1]
        [--rounds 1] [--layout config|nchw|channels_last]
    python benchmarks/bench_search.py --procs 2 [--threads 1]
        [--generations 2] [--candidates 6] [--checkpoint SUPERNET.pth]

Runs ``configs/nas/spos/spos_shufflenet_search_1xb64_digits.py`` in process
through the mmengine Runner, as tools/train.py does, with the search loop
replaced by a subclass (defined here, not in the library) that times its
methods: ``_build_estimators`` (the cost table), ``cost`` (every constraint
check of every sampled candidate), ``calibrate_bn`` and the validation pass
(``metrics``). Without ``--checkpoint`` the supernet has random weights:
the scores are meaningless, the times are not.

Side by side (``--peer-python``): the ImageNet SPOS ShuffleNetV2 supernet
of both frameworks' ``spos_shufflenet_search_8xb128_in1k.py`` with a
10-class head, MMRazor's random initialisation (seed 0) converted to ours
with tools/model_converters/mmrazor2mmnas.py, the same random candidates
(seed 0) in the same order, the digits validation images resized to
``--size`` (32: the input size of the searches this project runs and of
CIFAR-scale NAS; 224 for ImageNet's; batch ``--batch``, no workers), and
BN recalibration on the first ``--calibrate-iters`` batches of that
validation set: MMRazor's loop calibrates on ``runner.train_dataloader``,
which in mmengine is the search loop's own dataloader. Ours runs in the
memory layout its search config gives (``ChannelsLastHook``: channels_last
on CPU) unless ``--layout`` forces one; MMRazor runs NCHW. MMRazor runs
in its venv: its loop's ``_check_constraints`` (the per-candidate
resource check, its estimator measuring at ``--size``), then
``_val_candidate`` with ``calibrate_sample_num`` set and
``norm_training=False`` (its search config scores with batch statistics
and no recalibration; here both sides recalibrate and score with running
statistics). Per candidate it reports each side's seconds split into data
(reading and preprocessing batches; ours once per search, shared by the
candidates), calibration, evaluation and other, peak RSS, and whether the
two sides' scores agree (and by how many validation images they differ
where they do not).

Across processes (``--procs N``): the same search run as a user runs it,
``tools/dist_train.sh CONFIG 1`` and then ``tools/dist_train.sh CONFIG N``
(gloo on the CPU, ``--threads`` threads per process), each in a fresh work
dir; per run the seconds per candidate from the log's first "Generation"
line to its "Search done" line, and whether the N-process scores equal the
one-process ones candidate by candidate (``search_log.jsonl``).
"""

import argparse
import json
import os
import os.path as osp
import random
import re
import resource
import subprocess
import sys
import tempfile
import time

from peer import DEFAULT_PYTHON, PEER_PRELUDE, run_peer

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT,
                  'configs/nas/spos/spos_shufflenet_search_1xb64_digits.py')
PARTS = ('cost_table_build', 'cost', 'data', 'calibrate_bn', 'evaluate')


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
    ap.add_argument(
        '--peer-python',
        nargs='?',
        const=DEFAULT_PYTHON,
        help='side by side with MMRazor run by this python')
    ap.add_argument(
        '--batch', type=int, default=32, help='side by side: batch size')
    ap.add_argument(
        '--size',
        type=int,
        default=32,
        help='side by side: input size (the images are resized to SIZE x '
        'SIZE; MMRazor\'s resource estimator measures at it)')
    ap.add_argument(
        '--rounds',
        type=int,
        default=1,
        help='side by side: alternating (ours, MMRazor) runs')
    ap.add_argument(
        '--layout',
        choices=('config', 'nchw', 'channels_last'),
        default='config',
        help='side by side: our memory layout (config: the search config\'s '
        'ChannelsLastHook, as a search runs)')
    ap.add_argument(
        '--procs',
        type=int,
        help='run the search with tools/dist_train.sh in 1 and in this many '
        'processes (gloo on CPU) and compare seconds per candidate and '
        'scores')
    ap.add_argument('--worker', help=argparse.SUPPRESS)
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

        def _prepare_scoring(self):
            return self._clock('data', super()._prepare_scoring)

        def calibrate_bn(self):
            return self._clock('calibrate_bn', super().calibrate_bn)

        def metrics(self):
            self.counts['scored'] += 1
            return self._clock('evaluate', super().metrics)

        def run(self):
            return self._clock('total', super().run)

    return TimedEvolutionSearchLoop


IN1K_SEARCH = 'nas/spos/spos_shufflenet_search_8xb128_in1k.py'
# timing shared by both sides: DataLoader fetches (decode, transforms,
# collate) and the model's data preprocessor count as data
TIMING = r"""
import time as _time
import torch.utils.data.dataloader as _dl
DATA = [0.0]
_fetch = _dl._SingleProcessDataLoaderIter._next_data
def _timed_fetch(self):
    t = _time.perf_counter()
    try:
        return _fetch(self)
    finally:
        DATA[0] += _time.perf_counter() - t
_dl._SingleProcessDataLoaderIter._next_data = _timed_fetch
def time_preprocessor(model):
    dp = model.data_preprocessor
    forward = dp.forward
    def timed(*a, **k):
        t = _time.perf_counter()
        try:
            return forward(*a, **k)
        finally:
            DATA[0] += _time.perf_counter() - t
    dp.forward = timed
"""

PEER_SCRIPT = PEER_PRELUDE + r"""
import pathlib, resource, tempfile, time
import mmrazor
from mmengine.config import Config
from mmengine.runner import Runner
from mmrazor.registry import MODELS
exec(args['timing'])
cfg = Config.fromfile(str(pathlib.Path(mmrazor.__file__).parent / '.mim' /
                          'configs' / args['config']))
cfg.model.norm_training = False
cfg.model.architecture.head.num_classes = 10
if args['mode'] == 'weights':
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict()), args['out'])
    print(json.dumps({}))
    sys.exit(0)
cfg.train_cfg.update(dataloader=args['data'],
                     calibrate_sample_num=args['calib'] * args['batch'],
                     constraints_range=dict(flops=(0., 1e6)),
                     estimator_cfg=dict(type='mmrazor.ResourceEstimator',
                                        input_shape=(1, 3, args['size'],
                                                     args['size'])))
for k in ('val_dataloader', 'val_cfg', 'val_evaluator', 'test_dataloader',
          'test_cfg', 'test_evaluator'):
    cfg[k] = None
cfg.load_from = None
cfg.log_level = 'WARNING'
cfg.work_dir = tempfile.mkdtemp()
runner = Runner.from_cfg(cfg)
runner.load_checkpoint(args['ckpt'])
loop = runner.train_loop
model = loop.model
time_preprocessor(model)
calib_s = [0.0, 0.0]  # seconds, of which data
calibrate = loop.calibrate_bn_statistics
def timed_calibrate(*a, **k):
    t, d = time.perf_counter(), DATA[0]
    calibrate(*a, **k)
    calib_s[0] += time.perf_counter() - t
    calib_s[1] += DATA[0] - d
loop.calibrate_bn_statistics = timed_calibrate
names = {id(m): n for n, m in model.architecture.named_modules()}
group_of = {names[id(ms[0])]: k
            for k, ms in model.mutator.search_groups.items()}
rows = []
for cand in args['cands']:
    choices = {group_of[n]: c for n, c in cand.items()}
    calib_s[:] = [0.0, 0.0]
    t0, d0 = time.perf_counter(), DATA[0]
    model.mutator.set_choices(choices)
    loop._check_constraints(choices)
    t1 = time.perf_counter()
    metrics = loop._val_candidate()
    t2 = time.perf_counter()
    data = DATA[0] - d0
    rows.append(dict(total=t2 - t0, other=t1 - t0, data=data,
                     calibrate=calib_s[0] - calib_s[1],
                     evaluate=t2 - t1 - calib_s[0] - (data - calib_s[1]),
                     score=float(metrics['accuracy/top1'])))
print(json.dumps(dict(rows=rows, maxrss_mb=resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss / 1024, version=mmrazor.__version__)))
"""


def data_cfg(batch: int, size: int) -> dict:
    """The digits validation images at ``size`` x ``size``, in file
    order."""
    return dict(
        batch_size=batch,
        num_workers=0,
        persistent_workers=False,
        dataset=dict(
            type='CustomDataset',
            _scope_='mmcls',
            ann_file='',
            data_root=osp.join(ROOT, 'data', 'digits'),
            data_prefix='val',
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='Resize', scale=(size, size)),
                dict(type='PackClsInputs')
            ]),
        sampler=dict(type='DefaultSampler', shuffle=False))


def ours_worker(job: dict) -> dict:
    """Our side of the side by side (in its own process)."""
    import torch
    torch.set_num_threads(job['threads'])
    from mmengine.runner import Runner

    from mmnas import register_all_modules
    from mmnas.engine.hooks import ChannelsLastHook
    from mmnas.utils import set_quiet
    from mmnas.utils.config import load_config
    register_all_modules()
    set_quiet()
    timing = {}
    exec(TIMING, timing)
    cfg = load_config(osp.join(ROOT, 'configs', IN1K_SEARCH))
    cfg.model.architecture.head.num_classes = 10
    cfg.train_cfg.update(
        dataloader=job['data'],
        calibrate_dataloader=job['data'],
        calibrate_bn_iters=job['calib'],
        constraints_range={})
    cfg.load_from = None
    cfg.log_level = 'WARNING'
    cfg.default_hooks.checkpoint = None
    cfg.work_dir = tempfile.mkdtemp()
    runner = Runner.from_cfg(cfg)
    runner.load_checkpoint(job['ckpt'])
    if job['layout'] == 'config':
        for hook in runner.hooks:
            if isinstance(hook, ChannelsLastHook):
                hook.before_train(runner)
    elif job['layout'] == 'channels_last':
        runner.model.to(memory_format=torch.channels_last)
    conv = next(m for m in runner.model.modules()
                if isinstance(m, torch.nn.Conv2d))
    layout = 'channels_last' if conv.weight.is_contiguous(
        memory_format=torch.channels_last) else 'NCHW'
    loop = runner.train_loop
    t = time.perf_counter()
    loop._build_estimators()
    table_s = time.perf_counter() - t
    timing['time_preprocessor'](loop.model)
    data = timing['DATA']
    t = time.perf_counter()
    loop._prepare_scoring()
    data_once = time.perf_counter() - t
    rows = []
    for cand in job['cands']:
        t0, d0 = time.perf_counter(), data[0]
        loop.cost(cand)
        loop.model.mutator.set_choices(cand)
        t1 = time.perf_counter()
        loop.calibrate_bn()
        t2 = time.perf_counter()
        score = loop.score_of(loop.metrics())
        t3 = time.perf_counter()
        assert data[0] == d0  # every batch came from the cache
        rows.append(
            dict(
                total=t3 - t0,
                other=t1 - t0,
                data=0.0,
                calibrate=t2 - t1,
                evaluate=t3 - t2,
                score=score))
    return dict(
        rows=rows,
        data_once=data_once,
        cost_table_s=table_s,
        layout=layout,
        maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def side_by_side(args) -> None:
    import torch

    from mmnas import register_all_modules
    from mmnas.datasets.digits import prepare
    from mmnas.registry import MODELS
    from mmnas.utils.config import load_config
    num_val = prepare(osp.join(ROOT, 'data', 'digits'))['counts']['val']
    register_all_modules()
    alg = MODELS.build(
        load_config(osp.join(ROOT, 'configs', IN1K_SEARCH)).model)
    rng = random.Random(0)
    cands = [
        dict(alg.mutator.sample_choices(rng)) for _ in range(args.candidates)
    ]
    job = dict(
        data=data_cfg(args.batch, args.size),
        size=args.size,
        calib=args.calibrate_iters,
        batch=args.batch,
        threads=args.threads,
        cands=cands,
        config='nas/mmcls/spos/spos_shufflenet_search_8xb128_in1k.py',
        timing=TIMING,
        layout=args.layout)
    with tempfile.TemporaryDirectory() as tmp:
        theirs, ours = osp.join(tmp, 'mmrazor.pth'), osp.join(tmp, 'mmnas.pth')

        def peer(mode, **extra):

            def inputs(d):
                path = osp.join(d, 'job.json')
                with open(path, 'w') as f:
                    json.dump(dict(job, mode=mode, **extra), f)
                return [path]

            return run_peer(args.peer_python, PEER_SCRIPT, inputs,
                            args.threads)

        peer('weights', out=theirs)
        subprocess.run([
            sys.executable,
            osp.join(ROOT, 'tools/model_converters/mmrazor2mmnas.py'), theirs,
            ours, '--config',
            osp.join(ROOT, 'configs', IN1K_SEARCH), '--cfg-options',
            'model.architecture.head.num_classes=10'
        ],
                       check=True,
                       stdout=subprocess.DEVNULL)
        runs = dict(mmnas=[], mmrazor=[])
        for r in range(args.rounds):
            path = osp.join(tmp, 'ours.json')
            with open(path, 'w') as f:
                json.dump(dict(job, ckpt=ours), f)
            out = subprocess.run([sys.executable, __file__, '--worker', path],
                                 check=True,
                                 stdout=subprocess.PIPE,
                                 text=True,
                                 env=dict(
                                     os.environ,
                                     OMP_NUM_THREADS=str(args.threads)))
            runs['mmnas'].append(json.loads(out.stdout.splitlines()[-1]))
            runs['mmrazor'].append(peer('search', ckpt=theirs))
            for side in runs:
                rows = runs[side][-1]['rows']
                print(
                    f'  round {r + 1} {side}: ' + ', '.join(f'{x["total"]:.2f}'
                                                            for x in rows) +
                    ' s per candidate',
                    flush=True)
    report(args, runs, len(cands), num_val, torch.__version__)


def report(args, runs, k, num_val, torch_version) -> None:
    """The per-candidate table (means over rounds and candidates)."""
    parts = ('data', 'calibrate', 'evaluate', 'other')
    per = {}
    for side, results in runs.items():
        rows = [row for res in results for row in res['rows']]
        once = sum(res.get('data_once', 0.) for res in results) / len(rows)
        mean = {p: sum(r[p] for r in rows) / len(rows) for p in parts}
        mean['data'] += once
        mean['total'] = sum(mean[p] for p in parts)
        mean['maxrss'] = max(res['maxrss_mb'] for res in results)
        per[side] = mean
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    ours = runs['mmnas'][0]
    print(f'\n# {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; '
          f'torch {torch_version}; threads {args.threads}; load average '
          f'{load}; {k} candidates x {args.rounds} rounds; BN on '
          f'{args.calibrate_iters} batches of {args.batch}; {num_val} '
          f'validation images at {args.size}x{args.size}; ours '
          f'{ours["layout"]}; our cost '
          f'table built once in {ours["cost_table_s"]:.1f} s (not counted)')
    print('| s per candidate | ' + ' | '.join(parts) +
          ' | total | peak RSS (MB) |')
    print('|---|' + '---|' * (len(parts) + 2))
    for side, mean in per.items():
        print(f'| {side} | ' + ' | '.join(f'{mean[p]:.3f}' for p in parts) +
              f' | {mean["total"]:.3f} | {mean["maxrss"]:.0f} |')
    pairs = [(a['score'], b['score'])
             for ra, rb in zip(runs['mmnas'], runs['mmrazor'])
             for a, b in zip(ra['rows'], rb['rows'])]
    print('# scores (mmnas, MMRazor): ' + ', '.join(f'({a:.4f}, {b:.4f})'
                                                    for a, b in pairs))
    equal = sum(a == b for a, b in pairs)
    # top-1 is in percent of num_val images: the difference in images
    images = max(round(abs(a - b) * num_val / 100) for a, b in pairs)
    speed = per['mmrazor']['total'] / per['mmnas']['total']
    print(f'RESULT: mmnas {per["mmnas"]["total"]:.2f} s, MMRazor '
          f'{per["mmrazor"]["total"]:.2f} s per candidate: {speed:.1f}x '
          f'faster per candidate than MMRazor 1.0 EvolutionSearchLoop, '
          f'scores equal {equal}/{len(pairs)}' +
          (f' (the others within {images} of {num_val} images)'
           if equal < len(pairs) else ''))


LOG_TIME = re.compile(r'^(\d\d/\d\d \d\d:\d\d:\d\d) - mmengine - INFO - '
                      r'(Generation 1/|Search done)')


def search_settings(args) -> dict:
    """The search loop settings (``train_cfg``) of ``--generations``,
    ``--candidates`` and ``--calibrate-iters``."""
    n = args.candidates
    return dict(
        max_epochs=args.generations,
        num_candidates=n,
        top_k=min(3, n),
        num_mutation=n // 2,
        num_crossover=n // 2,
        calibrate_bn_iters=args.calibrate_iters)


def dist_search(procs: int, work: str, args) -> dict:
    """One ``tools/dist_train.sh`` search in ``procs`` processes: seconds
    per scored candidate (log time stamps) and the scores in order."""
    from mmnas.utils.config import options
    opts = {f'train_cfg.{k}': v for k, v in search_settings(args).items()}
    if args.checkpoint:
        opts['load_from'] = args.checkpoint
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        OMP_NUM_THREADS=str(args.threads),
        CUDA_VISIBLE_DEVICES='',
        PORT=str(29500 + os.getpid() % 1000 + procs))
    log = osp.join(work, 'dist.log')
    os.makedirs(work, exist_ok=True)
    with open(log, 'w') as f:
        subprocess.run([
            'bash', 'tools/dist_train.sh', CONFIG,
            str(procs), '--work-dir', work, *options(opts)
        ],
                       cwd=ROOT,
                       env=env,
                       stdout=f,
                       stderr=subprocess.STDOUT,
                       check=True)
    stamps = {}
    with open(log) as f:
        for line in f:
            m = LOG_TIME.match(line)
            if m:
                stamps.setdefault(
                    m.group(2),
                    time.mktime(
                        time.strptime('2000/' + m.group(1),
                                      '%Y/%m/%d %H:%M:%S')))
    with open(osp.join(work, 'search_log.jsonl')) as f:
        scores = [json.loads(line)['score'] for line in f if line.strip()]
    seconds = stamps['Search done'] - stamps['Generation 1/']
    return dict(scores=scores, per_candidate=seconds / max(len(scores), 1))


def across_processes(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = args.work_dir or tmp
        one = dist_search(1, osp.join(root, 'procs1'), args)
        many = dist_search(args.procs, osp.join(root, f'procs{args.procs}'),
                           args)
    equal = sum(a == b for a, b in zip(one['scores'], many['scores']))
    same_count = len(one['scores']) == len(many['scores'])
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'# {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; '
          f'{args.threads} thread(s) per process; load average {load}; '
          f'{args.generations} generations x {args.candidates} candidates, '
          f'{args.calibrate_iters} BN batches each; log time stamps are '
          'whole seconds')
    print('| processes | s per candidate | candidates |')
    print('|---|---|---|')
    for k, run in ((1, one), (args.procs, many)):
        print(f'| {k} | {run["per_candidate"]:.3f} | {len(run["scores"])} |')
    print(f'RESULT: {args.procs} processes '
          f'{one["per_candidate"] / many["per_candidate"]:.2f}x the '
          f'candidates per second of 1 process, scores equal '
          f'{equal}/{len(one["scores"])}' +
          ('' if same_count else ' (candidate counts differ)'))


def main():
    args = parse_args()
    if args.procs:
        across_processes(args)
        return
    if args.worker:
        with open(args.worker) as f:
            print(json.dumps(ours_worker(json.load(f))))
        return
    if args.peer_python:
        side_by_side(args)
        return
    if args.device == 'cpu':
        os.environ['CUDA_VISIBLE_DEVICES'] = ''  # the Runner picks CUDA
    import torch
    torch.set_num_threads(args.threads)
    from mmengine.runner import Runner

    from mmnas import register_all_modules
    from mmnas.datasets.digits import prepare
    from mmnas.utils.config import load_config
    register_all_modules()
    prepare(osp.join(ROOT, 'data', 'digits'))
    loop_cls = timed_loop_class()

    n = args.candidates
    cfg = load_config(CONFIG)
    cfg.train_cfg.update(type=loop_cls.__name__, **search_settings(args))
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
        data='once per search',
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
