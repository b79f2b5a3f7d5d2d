"""Does the SPOS mixed-precision search beat uniform 3-bit quantization on
the digits data? The four steps of the README's quantization commands, run
as there (``tools/train.py``, ``tools/test.py``, one process each):

1. train the ResNet-18 quantization supernet (digits config);
2. evolution search under the config's BitOps budget (the uniform 3W3A
   subnet's BitOps), BN re-estimated per candidate;
3. retrain the searched subnet from scratch (quantization-aware) with
   ``--seeds`` seeds, and the uniform 3W3A subnet (RESNET18_W3A3.yaml) the
   same way;
4. test every retrained subnet.

``--shared`` trains the supernet and searches with one PACT clip and one
BN shared by all bit widths of a conv instead of the configs' one per bit
width; the retrained subnets are the same static networks either way, so
both variants share the work dir and the uniform 3W3A runs. Finished
units are recorded in ``<work-dir>/state.json`` and skipped by a rerun.
``--finetune`` retrains both subnets from the supernet's weights (the
subnet config's ``model.supernet_checkpoint``) instead of from scratch,
as units of their own beside the from-scratch ones. ``--constrained``
trains the supernet with SPOS' uniform constraint sampling
(``ConstrainedUniformSampler``) in the search config's BitOps range.
Prints a table, the supernet's scores of the uniform 2W2A / 3W3A / 4W4A
subnets and of the searched one (BN re-estimated on ``--calib-batches``
training batches, then validation top-1 and likelihood, as the search
computes them for its candidates), and a
last line starting with ``RESULT:``. ``--score-only CKPT`` prints those
scores for a supernet checkpoint alone (``--shared`` for a shared one).

    OMP_NUM_THREADS=1 python benchmarks/bench_quant_search.py \
        [--work-dir work_dirs/bench_quant_search] [--seeds 0 1 2] [--shared]
        [--finetune] [--constrained]
        [--score-only SUPERNET_CKPT [--subnets FILE ...]]
"""
import argparse
import json
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Optional

from bench_search_quality import search_loop

from mmnas.utils import atomic_write
from mmnas.utils.config import (config_dict, no_workers_options, options,
                                schedule_options)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG = osp.join(ROOT, 'configs', 'nas', 'spos_quant')
SUPERNET = osp.join(CFG, 'spos_quant_resnet18_supernet_1xb64_digits.py')
SEARCH = osp.join(CFG, 'spos_quant_resnet18_search_1xb64_digits.py')
SUBNET = osp.join(CFG, 'spos_quant_resnet18_subnet_1xb64_digits.py')
W3A3 = osp.join(CFG, 'RESNET18_W3A3.yaml')
# one process reads the data: the benchmark runs one thread per tool
SERIAL_DATA = options(no_workers_options(SUPERNET))[1:]
RETRAIN_EPOCHS = config_dict(SUBNET)['train_cfg']['max_epochs']
SHARED_OPTIONS = {
    'model.architecture.backbone.per_bit_bn': False,
    'model.architecture.backbone.a_quantizer.per_bit': False
}


class Bench:

    def __init__(self, work_dir: str) -> None:
        self.work_dir = work_dir
        os.makedirs(work_dir, exist_ok=True)
        self.state_path = osp.join(work_dir, 'state.json')
        self.state = {}
        if osp.isfile(self.state_path):
            with open(self.state_path) as f:
                self.state = json.load(f)

    def save(self) -> None:
        atomic_write(self.state_path, json.dumps(self.state, indent=1))

    def tool(self, key: str, args: list) -> str:
        """Run ``tools/<args>`` once (recorded under ``key``); its
        output."""
        if key in self.state:
            return self.state[key]['out']
        log = osp.join(self.work_dir, key.replace('/', '_') + '.log')
        t = time.perf_counter()
        with open(log, 'w') as f:
            proc = subprocess.run([sys.executable, *args],
                                  cwd=ROOT,
                                  stdout=f,
                                  stderr=subprocess.STDOUT,
                                  env=dict(os.environ, OMP_NUM_THREADS='1'))
        with open(log) as f:
            out = f.read()
        if proc.returncode:
            raise SystemExit(f'{key} failed (exit {proc.returncode}); see '
                             f'{log}')
        seconds = round(time.perf_counter() - t, 1)
        print(f'{key}: {seconds} s', flush=True)
        self.state[key] = dict(out=out[-4000:], seconds=seconds)
        self.save()
        return out

    def retrain_and_test(self,
                         name: str,
                         subnet: str,
                         seed: int,
                         supernet: Optional[str] = None,
                         epochs: int = RETRAIN_EPOCHS) -> float:
        """Retrain ``subnet`` with the subnet config for ``epochs`` (its
        schedule stretched to them), from scratch or from the ``supernet``
        checkpoint's weights, and test it."""
        opts = [f'model.subnet={subnet}', f'randomness.seed={seed}']
        if supernet:
            opts.append(f'model.supernet_checkpoint={supernet}')
        if epochs != RETRAIN_EPOCHS:
            name += f'_e{epochs}'
            opts += options(schedule_options(SUBNET, epochs))[1:]
        work = osp.join(self.work_dir, f'{name}_seed{seed}')
        self.tool(f'{name}/seed{seed}/train', [
            'tools/train.py', SUBNET, '--work-dir', work, '--cfg-options',
            *opts, *SERIAL_DATA
        ])
        out = self.tool(f'{name}/seed{seed}/test', [
            'tools/test.py', SUBNET,
            osp.join(work, f'epoch_{epochs}.pth'), '--work-dir',
            osp.join(work, 'test'), '--cfg-options', *opts
        ])
        return float(re.findall(r'accuracy/top1: ([\d.]+)', out)[-1])

    def minutes(self) -> float:
        return sum(v['seconds'] for v in self.state.values()) / 60


def bitops(subnet: str) -> float:
    """GBitOps of a subnet at 32x32 (get_flops.py --convention bitops)."""
    out = subprocess.run([
        sys.executable, 'tools/analysis/get_flops.py', SUPERNET, '--subnet',
        subnet, '--shape', '32', '32', '--convention', 'bitops', '--json'
    ],
                         cwd=ROOT,
                         check=True,
                         capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])['bitops'] / 1e9


def supernet_scores(ckpt: str, subnets: list, overrides: dict,
                    calib_batches: int) -> dict:
    """The supernet's validation metrics of each subnet file (top-1 and
    likelihood) as the search computes them for its candidates (the search
    config's loop: BN statistics re-estimated on the first
    ``calib_batches`` calibration batches)."""
    from mmnas.structures import load_subnet
    opts = dict(overrides, load_from=ckpt, **no_workers_options(SEARCH))
    opts['train_cfg.calibrate_bn_iters'] = calib_batches
    with tempfile.TemporaryDirectory() as work_dir:
        loop = search_loop(SEARCH, opts, work_dir, load=True)
        names = [osp.basename(path) for path in subnets]
        if len(set(names)) < len(names):
            names = list(subnets)
        scores = {}
        for name, path in zip(names, subnets):
            metrics = loop.score_metrics(load_subnet(path))
            scores[name] = {k: round(v, 4) for k, v in metrics.items()}
        return scores


def constrained_config(work_dir: str) -> str:
    """A supernet config (written to ``work_dir``) that samples paths
    uniformly among those in the search config's BitOps range."""
    from mmnas.utils.config import load_config
    search = load_config(SEARCH, {}).train_cfg
    bitops = next(e for e in search.estimator
                  if e['type'] == 'BitOpsEstimator')
    sampler = dict(
        type='ConstrainedUniformSampler',
        estimator=dict(bitops),
        constraints_range=dict(
            bitops=tuple(search.constraints_range['bitops'])))
    path = osp.join(work_dir, 'supernet_constrained.py')
    atomic_write(
        path, f'_base_ = [{SUPERNET!r}]\n'
        f'model = dict(sampler={sampler!r})\n')
    return path


def mean_sd(xs) -> str:
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.
    return f'{statistics.mean(xs):.2f} ± {sd:.2f}'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--work-dir',
        default=osp.join(ROOT, 'work_dirs', 'bench_quant_search'))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--shared', action='store_true')
    parser.add_argument('--score-only', metavar='SUPERNET_CKPT')
    parser.add_argument('--subnets', nargs='*', default=[])
    parser.add_argument('--calib-batches', type=int, default=4)
    parser.add_argument(
        '--bits',
        type=int,
        nargs='+',
        help='the bit widths of every searched weight and input (default: '
        'the configs\' 1 2 3 4)')
    parser.add_argument(
        '--retrain-epochs',
        type=int,
        default=RETRAIN_EPOCHS,
        help='retrain both subnets this many epochs (the subnet config\'s '
        'linear decay stretched to them)')
    parser.add_argument(
        '--finetune',
        action='store_true',
        help='retrain both subnets from the supernet\'s weights '
        '(model.supernet_checkpoint) instead of from scratch')
    parser.add_argument(
        '--constrained',
        action='store_true',
        help='train the supernet only on paths in the search\'s BitOps '
        'range (ConstrainedUniformSampler)')
    args = parser.parse_args()
    overrides = dict(SHARED_OPTIONS) if args.shared else {}
    if args.bits:
        for kind in ('w_bits', 'a_bits'):
            overrides[f'model.architecture.backbone.{kind}'] = tuple(args.bits)
    uniform = [osp.join(CFG, f'RESNET18_W{b}A{b}.yaml') for b in (2, 3, 4)]
    if args.score_only:
        print(
            json.dumps(
                supernet_scores(args.score_only, uniform + args.subnets,
                                overrides, args.calib_batches)))
        return
    bench = Bench(args.work_dir)
    name = 'shared' if args.shared else 'per_bit'
    if args.bits:
        name += '_bits' + ''.join(map(str, args.bits))
    if args.constrained:
        name += '_constrained'
    variant = options(overrides)[1:]
    supernet = constrained_config(args.work_dir) if args.constrained \
        else SUPERNET
    sup_work = osp.join(args.work_dir, f'{name}_supernet')
    sup_ckpt = osp.join(
        sup_work,
        f'epoch_{config_dict(supernet)["train_cfg"]["max_epochs"]}.pth')
    bench.tool(f'{name}/supernet', [
        'tools/train.py', supernet, '--work-dir', sup_work, '--cfg-options',
        *SERIAL_DATA, *variant
    ])
    search_work = osp.join(args.work_dir, f'{name}_search')
    out = bench.tool(f'{name}/search', [
        'tools/train.py', SEARCH, '--work-dir', search_work, '--cfg-options',
        f'load_from={sup_ckpt}', *variant
    ])
    searched = osp.join(search_work, 'best_subnet.yaml')
    best = re.findall(r'Search done: best \S+ (-?[\d.]+)', out)
    # from scratch the uniform subnet does not depend on the supernet
    init, ft, w3a3 = None, '', 'w3a3'
    if args.finetune:
        init = sup_ckpt
        ft, w3a3 = '_ft', f'{name}_w3a3_ft'
    tops = dict(searched=[], w3a3=[])
    for seed in args.seeds:
        tops['searched'].append(
            bench.retrain_and_test(f'{name}_searched{ft}', searched, seed,
                                   init, args.retrain_epochs))
        tops['w3a3'].append(
            bench.retrain_and_test(w3a3, W3A3, seed, init,
                                   args.retrain_epochs))
    ops = dict(searched=bitops(searched), w3a3=bitops(W3A3))
    lines = [
        '| subnet | GBitOps (32x32) | test top-1, '
        f'seeds {args.seeds} | mean ± sd |', '|---|---|---|---|'
    ]
    for row in ('searched', 'w3a3'):
        lines.append(f'| {row} | {ops[row]:.4f} | '
                     f'{", ".join(f"{t:.2f}" for t in tops[row])} | '
                     f'{mean_sd(tops[row])} |')
    print('\n'.join(lines))
    if best:
        print(f'search: best supernet score {best[-1]}')
    scores = supernet_scores(sup_ckpt, uniform + [searched], overrides,
                             args.calib_batches)
    print(f'supernet scores (BN re-estimated on {args.calib_batches} '
          f'batches): {json.dumps(scores)}')
    gap = statistics.mean(tops['searched']) - statistics.mean(tops['w3a3'])
    how = 'fine-tuned from the supernet' if init else 'from scratch'
    print(f'RESULT: {name} clip/BN supernet, retrained {how}; '
          f'searched {mean_sd(tops["searched"])} at '
          f'{ops["searched"]:.4f} GBitOps vs uniform 3W3A '
          f'{mean_sd(tops["w3a3"])} at {ops["w3a3"]:.4f} GBitOps; '
          f'difference {gap:+.2f}; {bench.minutes():.1f} min of tool runs '
          'recorded in the work dir')


if __name__ == '__main__':
    main()
