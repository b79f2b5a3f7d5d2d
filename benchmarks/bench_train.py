"""SPOS ShuffleNetV2 supernet training throughput and peak memory: mmnas vs
MMRazor 1.0, same machine, same run; or mmnas alone on another config, in
one memory layout or several.

    python benchmarks/bench_train.py [--batch 16 64] [--steps 5] [--warmup 2]
        [--rounds 2] [--threads 2] [--size 224] [--device cpu|cuda]
        [--peer-python /work/peer_venv/bin/python]
        [--layouts config|nchw|channels_last ...] [--config CONFIG --no-peer]
        [--step train|val]

Both sides build the ImageNet supernet from their own
``spos_shufflenet_supernet_8xb128_in1k.py`` with that config's SGD optim
wrapper and time ``model.train_step`` on one batch of random uint8 images
(the data preprocessor normalises them; SPOS samples a new path every
step). Runs alternate (ours in each of ``--layouts``, MMRazor, ours, ...),
each a fresh subprocess with the same thread count; a run's figure is the
median step time after warm-up, the table shows the median over rounds.

Ours runs in the memory layout training would use: ``config`` applies the
config's ``default_hooks.memory_format`` hook (``ChannelsLastHook``, on CPU
by default) to the model as the runner does; ``nchw`` and
``channels_last`` force one. ``--config`` times another mmnas config (its
``optim_wrapper``; weight steps only for DSNAS and DenseNAS searches),
which MMRazor does not have: with ``--no-peer``. ``--step val`` times
``model.val_step`` without gradients instead, the forward pass a search
scores candidates with.

Peak memory: on CPU the maximum resident set size of each subprocess
(``os.wait4``); on CUDA ``torch.cuda.max_memory_allocated``. On CPU the peer
is ``/work/shared/peers/mmrazor/peer_spos.py`` unchanged (after its timing it
also builds the published subnet and runs ResourceEstimator, which is small
next to a training step's memory); it has no device option, so on CUDA the
peer (and any peer run with ``--clock cpu`` or ``--profile``) runs this
file's worker in the peer venv (the same steps, MMRazor's
model). ``--profile`` profiles both sides with that worker and splits the
step time into convolution / BatchNorm / ReLU kernels, other tensor ops and
Python (framework) time.
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT,
                  'configs/nas/spos/spos_shufflenet_supernet_8xb128_in1k.py')
LAYOUTS = ('config', 'nchw', 'channels_last')
PEER_DIR = '/work/shared/peers/mmrazor'
PEER_PYTHON = '/work/peer_venv/bin/python'


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--batch', type=int, nargs='+', default=[16, 64])
    ap.add_argument(
        '--steps',
        type=int,
        default=5,
        help='timed steps per run (after --warmup)')
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument(
        '--rounds',
        type=int,
        default=2,
        help='alternating (ours, MMRazor) pairs per batch size')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--device', default='cpu', help='cpu or cuda[:N]')
    ap.add_argument('--peer-python', default=PEER_PYTHON)
    ap.add_argument('--no-peer', action='store_true', help='time mmnas only')
    ap.add_argument(
        '--layouts',
        nargs='+',
        choices=LAYOUTS,
        default=['config'],
        help='memory layouts of ours, each its own runs: as the config\'s '
        'default_hooks.memory_format says, or forced')
    ap.add_argument(
        '--config',
        default=CONFIG,
        help='mmnas config (other than the default: with --no-peer)')
    ap.add_argument(
        '--clock',
        choices=['wall', 'cpu'],
        default='wall',
        help='cpu: process CPU time per step (with --threads 1 '
        'it hardly moves with other jobs on a shared machine)')
    ap.add_argument(
        '--step',
        choices=['train', 'val'],
        default='train',
        help='val: time model.val_step without gradients (the forward '
        'pass a search scores candidates with) on the path one train step '
        'sampled')
    ap.add_argument(
        '--profile',
        action='store_true',
        help='instead of timing, profile one run per side with '
        'torch.profiler and split its step time by kind of work')
    ap.add_argument(
        '--worker', choices=['mmnas', 'mmrazor'], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not args.worker and not args.no_peer and \
            osp.abspath(args.config) != CONFIG:
        ap.error('MMRazor runs the SPOS ShuffleNetV2 supernet only: '
                 'add --no-peer to time another --config')
    return args


def sync(device: str) -> None:
    if device.startswith('cuda'):
        import torch
        torch.cuda.synchronize()


def build(framework: str, config: str = CONFIG):
    """The model of ``config`` (MMRazor: the SPOS supernet of its own
    config), its optim wrapper config, class count and the mmnas config's
    ``default_hooks.memory_format`` hook config (None for MMRazor)."""
    from mmengine.logging import MMLogger
    MMLogger.get_instance('bench_train', log_level='WARNING')
    if framework == 'mmnas':
        from mmnas import register_all_modules
        from mmnas.registry import MODELS
        from mmnas.utils.config import load_config
        register_all_modules()
        cfg = load_config(config)
        layout_hook = cfg.get('default_hooks', {}).get('memory_format')
    else:
        import pathlib

        import mmrazor
        from mmcls.utils import register_all_modules as cls_register
        from mmengine.config import Config
        from mmrazor.registry import MODELS
        from mmrazor.utils import register_all_modules
        register_all_modules(True)
        cls_register(False)
        cfg = Config.fromfile(
            str(
                pathlib.Path(mmrazor.__file__).parent / '.mim' / 'configs' /
                'nas/mmcls/spos/spos_shufflenet_supernet_8xb128_in1k.py'))
        layout_hook = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    head = cfg.model.get('architecture', cfg.model).head
    return model, cfg.optim_wrapper, head.num_classes, layout_hook


def set_layout(model, layout: str, layout_hook) -> str:
    """Put ``model`` in ``layout`` (``config``: what ``layout_hook``, the
    config's memory-format hook, does to it in training); return the layout
    it runs in. Inputs stay NCHW, as the runner's data preprocessor gives
    them."""
    import torch
    if layout == 'config':
        if layout_hook is None:
            return 'nchw'
        from mmnas.registry import HOOKS
        return 'channels_last' if HOOKS.build(layout_hook).convert(model) \
            else 'nchw'
    if layout == 'channels_last':
        model.to(memory_format=torch.channels_last)
    return layout


def profile_split(prof, steps: int, wall_s: float) -> dict:
    """Seconds per step by kind of work (and the largest other ops):
    convolution, BatchNorm and ReLU kernels (forward and backward), other
    tensor ops (cat, shuffle copies, loss, optimizer), and the rest of the
    wall time, which is Python: the framework's module calls, sampling,
    preprocessing and bookkeeping."""
    kinds = dict(
        conv=('conv', ),
        batchnorm=('batch_norm', ),
        relu=('relu', 'clamp_min', 'threshold_backward'))
    split = dict(conv=0., batchnorm=0., relu=0., other_ops=0.)
    others = []
    for ev in prof.key_averages():
        t = ev.self_cpu_time_total / 1e6 / steps
        kind = next((k for k, keys in kinds.items() if any(x in ev.key.lower()
                                                           for x in keys)),
                    'other_ops')
        split[kind] += t
        if kind == 'other_ops':
            others.append((round(t, 4), ev.key))
    top = sorted(others, reverse=True)[:8]
    split['python'] = wall_s / steps - sum(split.values())
    return split, top


def worker(args) -> dict:
    """One run (in its own process): median train-step time of
    ``args.worker`` (mmnas or mmrazor), or a profile split of its steps."""
    import random

    import numpy
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    random.seed(0)
    numpy.random.seed(0)
    from mmcls.structures import ClsDataSample
    from mmengine.optim import build_optim_wrapper
    t0 = time.perf_counter()
    model, optim_cfg, n_cls, layout_hook = build(args.worker, args.config)
    build_s = time.perf_counter() - t0
    model.to(args.device)
    inputs = torch.randint(
        0, 256, (args.batch[0], 3, args.size, args.size), dtype=torch.uint8)
    layout = set_layout(model, args.layouts[0], layout_hook)
    optim = build_optim_wrapper(model, optim_cfg)
    batch = dict(
        inputs=inputs,
        data_samples=[
            ClsDataSample().set_gt_label(int(torch.randint(0, n_cls, ())))
            for _ in range(args.batch[0])
        ])
    model.train()
    if args.step == 'val':
        logs = model.train_step(batch, optim)
        model.eval()

    def step():
        if args.step == 'train':
            return model.train_step(batch, optim)
        with torch.no_grad():
            model.val_step(batch)
        return logs

    clock = time.process_time if args.clock == 'cpu' else time.perf_counter
    times = []
    for _ in range(args.warmup + args.steps):
        if len(times) == args.warmup and args.profile:
            prof = torch.profiler.profile(
                activities=[torch.profiler.ProfilerActivity.CPU])
            prof.__enter__()
        sync(args.device)
        t = clock()
        logs = step()
        sync(args.device)
        times.append(clock() - t)
    times = times[args.warmup:]
    out = dict(
        framework=args.worker,
        layout=layout,
        build_s=build_s,
        train_step_s=statistics.median(times),
        last_loss=float(logs['loss']),
        supernet_params=sum(p.numel() for p in model.parameters()))
    if args.profile:
        prof.__exit__(None, None, None)
        out['profile'], out['top_other_ops'] = profile_split(
            prof, args.steps, sum(times))
    if args.device.startswith('cuda'):
        out['peak_mem_mb'] = torch.cuda.max_memory_allocated() / 2**20
    return out


def run_child(cmd) -> dict:
    """Run one benchmark process: its JSON line plus its own peak RSS
    (reaped with ``os.wait4``, which reports that child's rusage alone)."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=ROOT)
        out = proc.stdout.read().decode()
        proc.stdout.close()
        _, status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f'benchmark run failed ({proc.returncode}): '
                     f'{" ".join(cmd[:3])} ...\n'
                     f'{err.read().decode()[-3000:]}')
    res = json.loads(out.strip().splitlines()[-1])
    res['maxrss_mb'] = rusage.ru_maxrss / 1024  # KiB on Linux
    return res


def child_cmd(args, batch: int, side: str, layout: str = 'config'):
    """The command of one run: this file as a worker (in the peer venv for
    MMRazor), except MMRazor timed on CPU, which is peer_spos.py itself."""
    if side == 'mmrazor' and args.device == 'cpu' and not args.profile \
            and args.clock == 'wall' and args.step == 'train':
        return [
            args.peer_python,
            osp.join(PEER_DIR, 'peer_spos.py'), '--batch',
            str(batch), '--steps',
            str(args.steps), '--warmup',
            str(args.warmup), '--size',
            str(args.size), '--threads',
            str(args.threads), '--est-reps', '1'
        ]
    python = sys.executable if side == 'mmnas' else args.peer_python
    cmd = [
        python,
        osp.abspath(__file__), '--worker', side, '--batch',
        str(batch), '--steps',
        str(args.steps), '--warmup',
        str(args.warmup), '--threads',
        str(args.threads), '--size',
        str(args.size), '--device', args.device, '--clock', args.clock,
        '--config', args.config, '--layouts', layout, '--step', args.step
    ]
    if args.profile:
        cmd.append('--profile')
    return cmd


def print_profiles(results) -> None:
    keys = list(results[0][2]['profile'])
    print('\n| batch | framework | s/step (profiled) | ' + ' | '.join(keys) +
          ' |')
    print('|---|---|---|' + '---|' * len(keys))
    for batch, side, res in results:
        prof = res['profile']
        print(f'| {batch} | {side} | {sum(prof.values()):.3f} | ' +
              ' | '.join(f'{prof[k]:.3f}' for k in keys) + ' |')
    for batch, side, res in results:
        print(f'# bs {batch} {side}, largest other ops (s/step): ' +
              ', '.join(f'{name} {t:.3f}' for t, name in res['top_other_ops']))


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            model = next(
                line.split(':', 1)[1].strip() for line in f
                if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    return f'{model}, {os.cpu_count()} CPUs, load average {load}'


def main():
    args = parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return
    import torch
    print(f'# {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; '
          f'{machine()}; torch {torch.__version__}; threads {args.threads}; '
          f'device {args.device}; {args.clock} clock; {args.step} step; '
          f'{osp.relpath(osp.abspath(args.config), ROOT)}; '
          f'ours: {" ".join(args.layouts)}')
    mem_key = 'peak_mem_mb' if args.device.startswith('cuda') else \
        'maxrss_mb'
    # (label, framework, layout): one label per layout of ours
    sides = [('mmnas' if len(args.layouts) == 1 else f'mmnas {layout}',
              'mmnas', layout) for layout in args.layouts]
    if not args.no_peer:
        sides.append(('mmrazor', 'mmrazor', 'config'))
    rows, ratios, profiles = [], [], []
    for batch in args.batch:
        runs = {label: [] for label, _, _ in sides}
        for r in range(args.rounds):
            for label, side, layout in sides:
                res = run_child(child_cmd(args, batch, side, layout))
                runs[label].append(res)
                profiles.append((batch, label, res))
                print(
                    f'  bs {batch} round {r + 1} {label}: '
                    f'{res["train_step_s"]:.3f} s/step, '
                    f'{res[mem_key]:.0f} MB',
                    flush=True)
        summary = {}
        for label, _, _ in sides:
            step = statistics.median(x['train_step_s'] for x in runs[label])
            mem = max(x[mem_key] for x in runs[label])
            summary[label] = (step, mem)
            rows.append((batch, label, runs[label][0].get('layout', 'nchw'),
                         step, batch / step, mem))
        base = sides[-1][0] if not args.no_peer else sides[0][0]
        for label, _, _ in sides:
            if label != base:
                ratios.append(
                    (batch, label, base, summary[base][0] / summary[label][0],
                     summary[label][1] / summary[base][1]))
    if args.profile:
        print_profiles(profiles)
        return
    print(f'\n| batch | framework | layout | s/step | img/s | peak mem (MB, '
          f'{"max allocated" if mem_key == "peak_mem_mb" else "max RSS"}) |')
    print('|---|---|---|---|---|---|')
    for batch, label, layout, step, ips, mem in rows:
        print(f'| {batch} | {label} | {layout} | {step:.3f} | {ips:.1f} | '
              f'{mem:.0f} |')
    print(f'# load average after: '
          f'{" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    if ratios:
        print('RESULT: ' + '; '.join(f'bs {b}: throughput {a}/{z} {t:.2f}x, '
                                     f'peak memory {a}/{z} {m:.2f}x'
                                     for b, a, z, t, m in ratios))


if __name__ == '__main__':
    main()
