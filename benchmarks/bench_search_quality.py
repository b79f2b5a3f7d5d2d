"""Does a search find something? The evaluation NAS papers use (Yu et al.
2020, "How to Train Your Super-Net" / "Evaluating the Search Phase of NAS";
NAS-Bench-201), on the digits data, through the project's real configs and
tools.

SPOS (``--spos-space``: ShuffleNetV2 by default, MobileNet, or ShuffleNetV2
block + channel; the space's digits configs):
- ranking: ``--num-subnets`` subnets evenly spread over the space's FLOPs
  range (uniform draws cluster in its middle, so ``--samples`` subnets are
  drawn leaning toward cheap or costly choices and the nearest to each
  FLOPs step is taken); the supernet's
  score of each (BN re-estimated, then validation top-1: the evolution
  loop's own ``score``) against its mean stand-alone top-1 over ``--seeds``
  trainings from scratch. Kendall tau-b overall and within the middle third
  by FLOPs; the tau between the first two seeds is the noise ceiling.
- search vs random at equal budget: the evolution search's best, and the
  best (by the same score) of as many random valid subnets as the search
  scored, each retrained with ``--found-seeds`` seeds; the searched
  subnet's percentile among the mean stand-alone top-1 of the random
  subnets that meet the search's constraint (ranking subnets inside it, the
  random best and ``--pool-size`` more of the random ones).
DSNAS, PONAS, DenseNAS: the algorithm's own search (its digits configs,
``--search-epochs`` scales their schedule), its result (DSNAS argmax
subnet, PONAS deployment at ``--ponas-flops``, DenseNAS derived net), and
``--num-random`` random subnets of its space within ``--cost-tol`` of its
FLOPs, trained by the same protocol; the percentile of the found one.

``--algorithm spread`` (only when named) checks the protocol itself:
``--spread-subnets`` subnets of one cost in the SPOS space, ``--seeds``
stand-alone trainings each, and the intraclass correlation of single
trainings. A percentile target can be shown only on a protocol where
same-cost subnets differ by more than their seeds do.

Every training runs ``tools/train.py`` (a search too) in a forked child
process with its own work dir and log, so a kill loses at most the unit in
progress; a finished unit (a training's top-1 and checkpoint, a score, a
drawn set) is recorded in ``<work-dir>/state.json`` (written atomically),
and a rerun skips it. The table goes to stdout and ``<work-dir>/table.md``;
the last line starts with ``RESULT:``.

``--train-per-class K`` makes the stand-alone task harder the same way for
every subnet: a train split of K images per class (seeded) is written once
in the ImageNet folder layout and every stand-alone training reads it;
validation stays the full split. The supernets and searches, the methods
under test, train on the full split as their configs say (under
``--quick`` they read the small split too, to be fast).

``--distort TRAIN VAL`` runs every step (supernet training, search,
scoring, stand-alone training) on the distorted digits of
``prepare_digits.py --distort`` instead: TRAIN (VAL) randomly rotated,
scaled, sheared, shifted and noisy copies of each image. The supernets
train their configs' epochs on it (TRAIN times the plain digits' steps):
with only the plain number of steps the SPOS supernet scores a median of
54 % on it while a subnet trained alone for as many steps reaches 95 %.
"""
import argparse
import gc
import glob
import json
import math
import os
import os.path as osp
import random
import runpy
import shutil
import statistics
import sys
import tempfile
import time
import traceback

# The trainings are children forked from this process. Importing mmengine
# asks torch whether CUDA is available; asked through the CUDA runtime, that
# initializes CUDA here, and a forked child can then no longer use it
# ("Cannot re-initialize CUDA in forked subprocess"). Through NVML it does
# not. Set before torch is imported.
os.environ.setdefault('PYTORCH_NVML_BASED_CUDA_CHECK', '1')

from mmnas.utils import UserError, atomic_write, cli_main
from mmnas.utils.config import (classes_options, config_dict, data_options,
                                no_workers_options, options, schedule_options)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ALGORITHMS = ('spos', 'dsnas', 'ponas', 'densenas')
# parts run only when named: the protocol check
PARTS = ALGORITHMS + ('spread', )
CFG = osp.join(ROOT, 'configs', 'nas')
# --spos-space: each SPOS search space with digits configs
# (configs/nas/spos/spos_<space>_{supernet,search,subnet}_1xb64_digits.py)
# and its name in the table
SPOS_SPACES = {
    'shufflenet': 'SPOS',
    'mobilenet': 'SPOS MobileNet',
    'shufflenet_channel': 'SPOS block+channel',
}
DSNAS_SUPERNET = f'{CFG}/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py'
DSNAS_SUBNET = f'{CFG}/dsnas/dsnas_shufflenet_subnet_1xb64_digits.py'
PONAS_SUPERNET = f'{CFG}/ponas/ponas_supernet_1xb64_digits.py'
PONAS_TABLE = f'{CFG}/ponas/ponas_table_1xb64_digits.py'
PONAS_SUBNET = f'{CFG}/ponas/ponas_subnet_1xb64_digits.py'
DENSENAS_SEARCH = f'{CFG}/densenas/densenas_mbv2_search_1xb32_digits.py'
DENSENAS_RETRAIN = f'{CFG}/densenas/densenas_retrain_1xb64_digits.py'
TRAIN = osp.join(ROOT, 'tools', 'train.py')
PONAS_DEPLOY = osp.join(ROOT, 'tools', 'ponas_deploy.py')
DIGITS = osp.join(ROOT, 'data', 'digits')
INPUT_SHAPE = (1, 3, 32, 32)  # the digits configs' input
# phase lengths, in epochs, that --search-epochs scales with the schedule
PHASE_KEYS = ('model.warm_start.epochs', 'model.pretrain_epochs',
              'model.finetune_epochs', 'train_cfg.arch_begin')

QUICK = dict(
    num_subnets=3,
    seeds=2,
    found_seeds=2,
    epochs=1,
    search_epochs=1,
    train_per_class=8,
    pool_size=0,
    num_random=2,
    samples=100,
    search_candidates=3,
    spread_subnets=2)


class RunFailed(UserError):
    """A training or scoring child process failed (its log says why)."""


# -- bookkeeping -------------------------------------------------------------
class State:
    """Finished units by key, kept in one JSON file written atomically after
    each unit."""

    def __init__(self, path):
        self.path = path
        self.data = {}
        if osp.isfile(path):
            try:
                with open(path) as f:
                    self.data = json.load(f)
            except ValueError as e:
                raise UserError(f'{path} is corrupt ({e}); remove it to '
                                'start the benchmark again.')

    def __contains__(self, key):
        return key in self.data

    def __getitem__(self, key):
        return self.data[key]

    def put(self, key, value):
        self.data[key] = value
        atomic_write(self.path, json.dumps(self.data, indent=1) + '\n')
        return value


class Child:
    """``fn(*args)`` in a forked child with stdout/stderr in ``log_path``
    and its JSON-able result in a file beside it. The parent never runs
    torch itself and has not initialized CUDA (see the NVML check above),
    so forking it is safe, also on a GPU, and the children need not import
    torch again."""

    def __init__(self, log_path, fn, *args):
        self.log_path = log_path
        self.what = f'{fn.__name__}{args[:1]}'
        self.result_path = log_path + '.result.json'
        os.makedirs(osp.dirname(log_path), exist_ok=True)
        if osp.exists(self.result_path):
            os.remove(self.result_path)
        self.start = time.time()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        # the children's collections then neither walk nor copy the
        # parent's objects
        gc.freeze()
        self.pid = os.fork()
        if self.pid == 0:
            self._run(fn, args, parent)

    def _run(self, fn, args, parent):
        code = 1
        try:
            die_with_parent(parent)
            fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            result = fn(*args)
            with open(self.result_path, 'w') as f:
                json.dump(result, f)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else int(e.code is None)
            if code == 0 and not osp.exists(self.result_path):
                with open(self.result_path, 'w') as f:
                    json.dump(None, f)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def finish(self, status):
        """The result, given the child's wait status."""
        code = os.waitstatus_to_exitcode(status)
        if code != 0 or not osp.exists(self.result_path):
            with open(self.log_path, errors='replace') as f:
                tail = [line.rstrip() for line in f if line.strip()][-5:]
            raise RunFailed(f'{self.what} exited {code}; log: '
                            f'{self.log_path}' + ''.join(f'\n  {t}'
                                                         for t in tail))
        with open(self.result_path) as f:
            return json.load(f)

    def wait(self):
        return self.finish(os.waitpid(self.pid, 0)[1])


def die_with_parent(parent):
    """End this child when the benchmark ends (killed included), so that
    no orphaned training writes into a work dir a rerun starts again."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux
        pass
    if os.getppid() != parent:  # it ended before prctl
        os._exit(1)


def fork_call(log_path, fn, *args):
    """``fn(*args)`` in a forked child (see :class:`Child`)."""
    return Child(log_path, fn, *args).wait()


def run_script(path, argv):
    """A repository tool as ``python path argv...`` would run it."""
    sys.argv = [path] + list(argv)
    runpy.run_path(path, run_name='__main__')


def last_top1(work_dir):
    """The last validation top-1 in the run's scalars.json."""
    top1 = None
    for path in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if 'accuracy/top1' in rec:
                    top1 = float(rec['accuracy/top1'])
    return top1


def last_checkpoint(work_dir):
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        ckpt = f.read().strip()
    return ckpt if osp.isfile(ckpt) else None


class Bench:
    """The units of the benchmark and the state that makes them resumable.
    """

    def __init__(self, args):
        self.args = args
        self.work = osp.abspath(args.work_dir)
        os.makedirs(self.work, exist_ok=True)
        self.state = State(osp.join(self.work, 'state.json'))
        self.check_settings()
        self.space = spos_space(args.spos_space)
        self.task_root = self.distorted_data() or self.user_data()
        self.train_root = None if args.distort else \
            self.reduced_train_split()
        self.rows = []
        self.result = {}

    def check_settings(self):
        """A work dir keeps the settings it was started with: resuming it
        with others would mix results of different protocols."""
        keys = ('quick', 'seeds', 'found_seeds', 'epochs', 'search_epochs',
                'train_per_class', 'num_subnets', 'samples', 'pool_size',
                'num_random', 'cost_tol', 'ponas_flops', 'search_candidates',
                'distort', 'spread_subnets', 'spos_space', 'search_flops',
                'search_runs')
        mine = {k: getattr(self.args, k) for k in keys}
        for key in ('supernet_ckpt', 'data_root'):
            path = getattr(self.args, key)
            mine[key] = path and osp.abspath(path)
        saved = self.state.data.get('settings', mine)
        parser = build_parser()

        def default(key):
            """What a run saved before ``key`` existed had."""
            if saved.get('quick') and key in QUICK:
                return QUICK[key]
            return parser.get_default(key)

        old = {k: saved.get(k, default(k)) for k in mine}
        diff = ', '.join(f'{k} {old[k]} -> {v}' for k, v in mine.items()
                         if old[k] != v)
        if diff:
            raise UserError(f'{self.work} holds a run with other settings '
                            f'({diff}); use another --work-dir or the same '
                            'settings.')
        self.state.put('settings', mine)

    def log(self, msg):
        print(f'[{time.strftime("%H:%M:%S")}] {msg}', flush=True)

    # -- data --
    def reduced_train_split(self):
        """``--train-per-class K``: K seeded images per class of the digits
        (or ``--data-root``), written once as
        ``<work>/data/<name>_k<K>/train/<class>/*``."""
        k = self.args.train_per_class
        if k is None:
            return None
        data = self.task_root or DIGITS
        root = osp.join(self.work, 'data', f'{osp.basename(data)}_k{k}')
        if osp.isdir(osp.join(root, 'train')):
            return root
        src = osp.join(data, 'train')
        if not osp.isdir(src):
            raise UserError(f'{src} does not exist; write the digits data '
                            'first: python tools/dataset_converters/'
                            'prepare_digits.py --out data/digits')
        rng = random.Random(0)
        os.makedirs(osp.dirname(root), exist_ok=True)
        tmp = tempfile.mkdtemp(dir=osp.dirname(root), prefix='.digits-')
        for cls in sorted(os.listdir(src)):
            files = sorted(os.listdir(osp.join(src, cls)))
            if len(files) < k:
                raise UserError(f'--train-per-class {k}: class {cls} has '
                                f'only {len(files)} training images.')
            os.makedirs(osp.join(tmp, 'train', cls))
            for name in sorted(rng.sample(files, k)):
                shutil.copyfile(
                    osp.join(src, cls, name), osp.join(tmp, 'train', cls,
                                                       name))
        os.replace(tmp, root)
        return root

    def distorted_data(self):
        """``--distort TRAIN VAL``: the distorted digits, written once as
        ``<work>/data/digits_distort<TRAIN>x<VAL>``."""
        copies = self.args.distort
        if copies is None:
            return None
        root = osp.join(self.work, 'data',
                        f'digits_distort{copies[0]}x{copies[1]}')
        from mmnas.datasets.digits import prepare
        manifest = prepare(root, distort_copies=copies)
        self.log(f'distorted digits in {root}: {manifest["counts"]}')
        return root

    def user_data(self):
        """``--data-root``: a dataset in the ImageNet folder layout, its
        classes and per-channel mean and std measured once."""
        root = self.args.data_root
        if root is None:
            return None
        root = osp.abspath(root)
        if 'data' not in self.state:
            self.state.put('data', folder_stats(root))
        data = self.state['data']
        self.log(f'data in {root}: {len(data["classes"])} classes, '
                 f'mean {data["mean"]}, std {data["std"]}')
        return root

    # -- units --
    def train(self, key, config, work, opts, expect_top1=True):
        """One ``tools/train.py`` run (see :meth:`train_many`)."""
        self.train_many([(key, config, work, opts)], expect_top1)
        return self.state[key]

    def train_many(self, units, expect_top1=True):
        """``tools/train.py`` runs ``(key, config, work dir, options)``,
        ``--jobs`` at a time, each recorded as ``{top1, ckpt, work_dir,
        seconds}`` when it ends; a run cut short earlier starts again from
        scratch. After a failure the running ones finish, then it raises.
        """
        pending = [u for u in units if u[0] not in self.state]
        running, error = {}, None
        while running or (pending and error is None):
            while pending and error is None and \
                    len(running) < self.args.jobs:
                key, config, work, opts = pending.pop(0)
                work = osp.join(self.work, work)
                if osp.isdir(work):
                    shutil.rmtree(work)
                os.makedirs(work)
                self.log(f'train {key}')
                child = Child(
                    osp.join(work, 'train.log'), run_script, TRAIN,
                    [config, '--work-dir', work, '--quiet'] + options(opts))
                running[child.pid] = (key, work, child)
            pid, status = os.wait()
            if pid not in running:
                continue
            key, work, child = running.pop(pid)
            try:
                child.finish(status)
                top1 = last_top1(work)
                if expect_top1 and top1 is None:
                    raise RunFailed(f'{key}: no validation top-1 in {work}')
            except RunFailed as e:
                error = error or e
                continue
            rec = dict(
                top1=top1,
                ckpt=last_checkpoint(work),
                work_dir=work,
                seconds=round(time.time() - child.start, 1))
            self.log(f'  {key}: top-1 {top1}, {rec["seconds"]} s')
            self.state.put(key, rec)
        if error is not None:
            raise error

    def standalone(self, algo, config, subnets):
        """Stand-alone top-1 per seed of each ``name: (options, seeds)``,
        all trained through ``config``."""
        units = [(f'{algo}/train/{name}/seed{seed}', config,
                  f'{algo}/train/{name}_seed{seed}',
                  dict(opts, **{'randomness.seed': seed}))
                 for name, (opts, seeds) in subnets.items()
                 for seed in range(seeds)]
        self.train_many(units)
        return {
            name: [
                self.state[f'{algo}/train/{name}/seed{seed}']['top1']
                for seed in range(seeds)
            ]
            for name, (_, seeds) in subnets.items()
        }

    def data_opts(self, config, stand_alone=False):
        reduced = stand_alone or self.args.quick
        opts = data_options(config, self.train_root if reduced else None,
                            self.task_root)
        if self.args.data_root is not None:
            data = self.state['data']
            opts.update(
                classes_options(config, len(data['classes']), data['mean'],
                                data['std']))
        if self.args.quick:
            opts.update(no_workers_options(config))
        return opts

    def standalone_opts(self, config):
        return dict(
            schedule_options(config, self.args.epochs, ()),
            **self.data_opts(config, stand_alone=True))

    def search_opts(self, config):
        return dict(
            schedule_options(config, self.args.search_epochs, PHASE_KEYS),
            **self.data_opts(config))

    # -- SPOS --
    def spos(self):
        args = self.args
        label = self.space['label']
        if args.supernet_ckpt:
            ckpt = osp.abspath(args.supernet_ckpt)
        else:
            ckpt = self.train(
                'spos/supernet',
                self.space['supernet'],
                'spos/supernet',
                self.search_opts(self.space['supernet']),
                expect_top1=False)['ckpt']
        search_opts = dict(
            self.data_opts(self.space['search']), load_from=ckpt)
        if args.search_flops is not None:
            search_opts['train_cfg.constraints_range.flops'] = (
                0., args.search_flops)
        if args.quick:
            search_opts.update({
                'train_cfg.max_epochs': 1,
                'train_cfg.num_candidates': args.search_candidates,
                'train_cfg.top_k': 1,
                'train_cfg.num_mutation': 0,
                'train_cfg.num_crossover': 0,
                'train_cfg.calibrate_bn_iters': 1
            })
        search = self.spos_search(search_opts)
        # more runs of the search with other seeds: the spread of their
        # picks' percentiles is the search's, not one run's luck
        reruns = [
            self.spos_search(
                dict(search_opts, **{'train_cfg.seed': run}), run)
            for run in range(1, args.search_runs)
        ]
        drawn = self.once('spos/drawn', 'spos/draw.log', draw_spos,
                          self.space['search'], search_opts,
                          osp.join(self.work, 'spos',
                                   'draw'), args.num_subnets, search['scored'],
                          args.samples, args.seed)
        rank = drawn['rank']
        rand = drawn['random']
        scores = self.spos_scores(search_opts, [(c['name'], c['choices'])
                                                for c in rank + rand])
        best_rand = max(rand, key=lambda c: scores[c['name']])
        # stand-alone trainings
        opts = self.standalone_opts(self.space['subnet'])
        subnets = {c['name']: c for c in rank + rand}
        subnets['searched'] = dict(
            name='searched', choices=search['choices'], flops=search['flops'])
        # a pick that an earlier run found too is trained once; like the
        # first run's, a pick is trained apart from the pool it is ranked in
        picks = {json.dumps(search['choices'], sort_keys=True): 'searched'}
        rerun_names = []
        for run, rec in enumerate(reruns, 1):
            name = picks.setdefault(
                json.dumps(rec['choices'], sort_keys=True), f'searched{run}')
            subnets.setdefault(name, dict(name=name, **rec))
            rerun_names.append(name)

        def job(name, seeds):
            path = self.subnet_file('spos', name, subnets[name]['choices'])
            return dict(opts, **{'model.subnet': path}), seeds

        # the percentile pool: random subnets inside the constraint (the
        # ranking's, the random best, --pool-size more random valid ones)
        extra = [c['name'] for c in rand
                 if c is not best_rand][:args.pool_size]
        jobs = {c['name']: job(c['name'], args.seeds) for c in rank}
        jobs['searched'] = job('searched', args.found_seeds)
        jobs[best_rand['name']] = job(best_rand['name'], args.found_seeds)
        jobs.update({name: job(name, args.seeds) for name in extra})
        jobs.update(
            {name: job(name, args.found_seeds)
             for name in rerun_names})
        accs = self.standalone('spos', self.space['subnet'], jobs)
        rank_accs = {c['name']: accs[c['name']] for c in rank}
        found = accs['searched']
        found_rand = accs[best_rand['name']]
        # the uniform draws alone are what random sampling gives; the
        # ranking's are spread over the FLOPs range on purpose
        drawn_uniformly = [best_rand['name']] + extra
        uniform = [mean(accs[n]) for n in drawn_uniformly]
        pool = {c['name']: accs[c['name']] for c in rank if c['valid']}
        pool.update({n: accs[n] for n in drawn_uniformly})
        # summary
        ranked = sorted(rank, key=lambda c: c['flops'])
        third = len(ranked) // 3
        band = ranked[third:len(ranked) - third]
        sup = [scores[c['name']] for c in rank]
        alone = [mean(rank_accs[c['name']]) for c in rank]
        tau = kendall(sup, alone)
        tau_band = kendall([scores[c['name']] for c in band],
                           [mean(rank_accs[c['name']]) for c in band])
        ceiling = kendall([rank_accs[c['name']][0] for c in rank],
                          [rank_accs[c['name']][1] for c in rank])
        pool_means = [mean(v) for v in pool.values()]
        runs = [
            dict(
                name=name,
                flops=subnets[name]['flops'],
                top1=mean(accs[name]),
                pct=percentile(mean(accs[name]), pool_means))
            for name in ['searched'] + rerun_names
        ]
        pct = runs[0]['pct']
        pct_uniform = percentile(mean(found), uniform)
        pool_icc, pool_sd = icc1_of_pool(pool.values(), args.seeds)
        # the ranking's subnets reach the extremes of the space on purpose;
        # whether random sampling's own subnets differ is this one
        uniform_icc, uniform_sd = icc1_of_pool(
            [accs[n] for n in drawn_uniformly], args.seeds)
        perfect = perfect_search_percentile(uniform_icc, uniform_sd,
                                            len(uniform), args.seeds,
                                            len(found), search['scored'])
        low, high = band[0]['flops'], band[-1]['flops']
        self.rows += [
            (label, f'Kendall tau-b, supernet score vs mean stand-alone '
             f'top-1 ({len(rank)} subnets, '
             f'{min(c["flops"] for c in rank):.3f}-'
             f'{max(c["flops"] for c in rank):.3f} MFLOPs)', fmt(tau)),
            (label, f'Kendall tau-b in the middle FLOPs third ({len(band)} '
             f'subnets, {low:.3f}-{high:.3f} MFLOPs)', fmt(tau_band)),
            (label, 'noise ceiling: tau-b between stand-alone seeds 0 and 1',
             fmt(ceiling)),
            (label, 'supernet score (BN re-estimated val top-1): median of '
             f'the {len(rank)} ranking subnets', fmt(median(sup))),
            (label, f'searched subnet ({search["flops"]:.3f} MFLOPs, '
             f'score {search["score"]:.2f}, best of {search["scored"]}): '
             f'stand-alone top-1 over {len(found)} seeds', mean_sd(found)),
            (label, f'best of {len(rand)} random valid subnets '
             f'({best_rand["flops"]:.3f} MFLOPs, score '
             f'{scores[best_rand["name"]]:.2f}): stand-alone top-1 over '
             f'{len(found_rand)} seeds', mean_sd(found_rand)),
            (label, f'percentile of the searched subnet among {len(pool)} '
             f'random subnets within {search["constraint"]}',
             f'{pct:.1f} (pool mean {mean_sd(pool_means)})'),
            (label, f'percentile among the {len(uniform)} of them drawn '
             'uniformly (the ranking\'s left out)',
             f'{pct_uniform:.1f} (pool mean {mean_sd(uniform)})'),
            pool_row(label, len(pool), args.seeds, pool_icc, pool_sd),
            pool_row(label, len(uniform), args.seeds, uniform_icc, uniform_sd,
                     'the uniform pool'),
            (label, 'the uniform pool\'s percentile of a search that ranked '
             f'its {search["scored"]} candidates perfectly, from that ICC '
             'and seed sd: expected (10-90 % of runs)',
             'n/a' if perfect is None else
             f'{perfect[0]:.1f} ({perfect[1]:.1f}-{perfect[2]:.1f})'),
        ]
        runs_pct = mean([r['pct'] for r in runs])
        if reruns:
            means = ', '.join(f'{r["top1"]:.2f}' for r in runs)
            self.rows.append(
                (label, f'percentiles of the picks of {len(runs)} search '
                 f'runs (seeds 0-{len(runs) - 1}; stand-alone means {means})'
                 ' in that pool',
                 ', '.join(f'{r["pct"]:.1f}'
                           for r in runs) + f' (mean {runs_pct:.1f})'))
        self.result.update(
            spos_tau=tau,
            spos_tau_band=tau_band,
            spos_ceiling=ceiling,
            spos_pct=pct,
            spos_pct_uniform=pct_uniform,
            spos_pool_icc=pool_icc,
            spos_uniform_icc=uniform_icc,
            spos_pct_perfect=perfect and perfect[0])
        if reruns:
            self.result['spos_pct_runs'] = runs_pct
        self.state.put(
            'spos/summary',
            dict(
                tau=tau,
                tau_band=tau_band,
                ceiling=ceiling,
                percentile=pct,
                percentile_uniform=pct_uniform,
                pool_icc=pool_icc,
                uniform_icc=uniform_icc,
                perfect_search=perfect,
                search_runs=runs,
                scores=scores,
                rank_accs=rank_accs,
                searched=found,
                random_best=found_rand,
                pool={k: mean(v)
                      for k, v in pool.items()}))

    def spos_search(self, opts, run=0):
        """The best subnet of one evolution search run (``run`` > 0: the
        search with ``train_cfg.seed=run``)."""
        key = 'spos/search' + (f'{run}' if run else '')
        if key not in self.state:
            rec = self.train(
                f'{key}/run',
                self.space['search'],
                key,
                opts,
                expect_top1=False)
            work = rec['work_dir']
            with open(osp.join(work, 'search_result.json')) as f:
                best = json.load(f)['top_k'][0]
            with open(osp.join(work, 'search_log.jsonl')) as f:
                scored = sum(1 for line in f if line.strip())
            limits = config_dict(
                self.space['search'])['train_cfg']['constraints_range']
            limits.update({
                k.rpartition('.')[2]: v
                for k, v in opts.items()
                if k.startswith('train_cfg.constraints_range.')
            })
            constraint = ', '.join(f'{k} {lo}-{hi}M'
                                   for k, (lo, hi) in limits.items())
            self.state.put(
                key,
                dict(
                    choices=best['choices'],
                    score=best['score'],
                    flops=best['flops'],
                    scored=scored,
                    constraint=constraint))
        return self.state[key]

    def spos_scores(self, opts, items):
        """Supernet scores by name, in batches of children that each build
        the search loop once and append every score to a JSON-lines file
        as they go."""
        scores = {}
        pending = []
        for name, choices in items:
            key = f'spos/score/{name}'
            if key in self.state:
                scores[name] = self.state[key]
            else:
                pending.append((name, choices))
        progress = osp.join(self.work, 'spos', 'score', 'scores.jsonl')
        while pending:
            for rec in read_jsonl(progress):
                key = f'spos/score/{rec["name"]}'
                if key not in self.state:
                    self.state.put(key, rec['score'])
            pending = [(n, c) for n, c in pending
                       if f'spos/score/{n}' not in self.state]
            if not pending:
                break
            self.log(f'score {len(pending)} subnets on the supernet')
            fork_call(
                osp.join(self.work, 'spos', 'score', 'score.log'),
                score_spos, self.space['search'], opts,
                osp.join(self.work, 'spos', 'score'), pending, progress)
        for name, _ in items:
            scores[name] = self.state[f'spos/score/{name}']
        return scores

    # -- DSNAS, PONAS, DenseNAS --
    def dsnas(self):
        run = self.train(
            'dsnas/search',
            DSNAS_SUPERNET,
            'dsnas/search',
            self.search_opts(DSNAS_SUPERNET),
            expect_top1=False)
        found = load_choices(osp.join(run['work_dir'], 'subnet_final.yaml'))
        self.same_cost(
            'dsnas', 'DSNAS argmax subnet', found, DSNAS_SUPERNET,
            DSNAS_SUBNET, lambda path: {
                'model.subnet': path,
                'model.supernet_checkpoint': None
            })

    def ponas(self):
        meta = self.train(
            'ponas/meta',
            PONAS_SUPERNET,
            'ponas/meta',
            self.search_opts(PONAS_SUPERNET),
            expect_top1=False)
        opts = dict(self.data_opts(PONAS_TABLE), load_from=meta['ckpt'])
        if self.args.quick:
            opts.update({
                'train_cfg.finetune_iters': 1,
                'train_cfg.eval_batches': 1
            })
        table = self.train(
            'ponas/table', PONAS_TABLE, 'ponas/table', opts, expect_top1=False)
        out = osp.join(table['work_dir'], 'deployed.yaml')
        key = 'ponas/deploy'
        if key not in self.state:
            fork_call(
                osp.join(table['work_dir'], 'deploy.log'), run_script,
                PONAS_DEPLOY, [
                    osp.join(table['work_dir'],
                             'ponas_table.json'), '--constraint',
                    f'flops={self.args.ponas_flops}M', '--out', out
                ])
            self.state.put(key, dict(subnet=out))
        self.same_cost(
            'ponas', f'PONAS deployment at <= {self.args.ponas_flops} '
            'MFLOPs', load_choices(out), PONAS_SUPERNET, PONAS_SUBNET,
            lambda path: {'model.subnet': path})

    def densenas(self):
        run = self.train(
            'densenas/search',
            DENSENAS_SEARCH,
            'densenas/search',
            self.search_opts(DENSENAS_SEARCH),
            expect_top1=False)
        found = load_choices(osp.join(run['work_dir'], 'subnet.yaml'))
        self.same_cost(
            'densenas',
            'DenseNAS derived net',
            found,
            DENSENAS_SEARCH,
            DENSENAS_RETRAIN,
            lambda path: {'model.backbone.net_config': path},
            net_config=True)

    def same_cost(self,
                  algo,
                  what,
                  found,
                  supernet_cfg,
                  subnet_cfg,
                  model,
                  net_config=False):
        """The found subnet against ``--num-random`` random subnets of the
        space within ``--cost-tol`` of its FLOPs, all trained stand-alone
        (the found one with ``--found-seeds`` seeds)."""
        args = self.args
        drawn = self.once(f'{algo}/drawn', f'{algo}/draw.log', draw_same_cost,
                          supernet_cfg, found, args.num_random, args.cost_tol,
                          args.seed, net_config)
        opts = self.standalone_opts(subnet_cfg)

        def job(cand, seeds):
            if net_config:
                path = osp.join(self.work, algo, 'subnets',
                                f'{cand["name"]}.txt')
                if not osp.isfile(path):
                    os.makedirs(osp.dirname(path), exist_ok=True)
                    atomic_write(path, cand['net_config'] + '\n')
            else:
                path = self.subnet_file(algo, cand['name'], cand['choices'])
            return dict(opts, **model(path)), seeds

        jobs = {c['name']: job(c, args.seeds) for c in drawn['random']}
        jobs['found'] = job(drawn['found'], args.found_seeds)
        accs = self.standalone(algo, subnet_cfg, jobs)
        found_accs = accs.pop('found')
        pool = [mean(v) for v in accs.values()]
        pct = percentile(mean(found_accs), pool)
        pool_icc, pool_sd = icc1_of_pool(accs.values(), args.seeds)
        name = algo.upper() if algo != 'densenas' else 'DenseNAS'
        flops = drawn['found']['flops']
        self.rows += [
            (name, f'{what} ({flops:.3f} MFLOPs): stand-alone top-1 over '
             f'{len(found_accs)} seeds', mean_sd(found_accs)),
            (name, f'percentile among {len(pool)} random subnets within '
             f'{args.cost_tol:g}% of its FLOPs', f'{pct:.1f} (pool mean '
             f'{mean_sd(pool)})'),
            pool_row(name, len(pool), args.seeds, pool_icc, pool_sd),
        ]
        self.result[f'{algo}_pct'] = pct
        self.result[f'{algo}_pool_icc'] = pool_icc
        self.state.put(
            f'{algo}/summary',
            dict(
                found=found_accs, pool=pool, percentile=pct,
                pool_icc=pool_icc))

    # -- same-cost spread --
    def spread(self):
        """Is there anything to find at one cost under this protocol?
        ``--spread-subnets`` SPOS subnets within ``--cost-tol`` of the FLOPs
        of a uniformly random one, ``--seeds`` stand-alone trainings each.
        The one-way intraclass correlation says which share of one
        training's variance is the subnet's rather than the seed's; near
        zero, a percentile in a same-cost pool is seed noise."""
        args = self.args
        drawn = self.once('spread/drawn', 'spread/draw.log', draw_same_cost,
                          self.space['supernet'], None,
                          args.spread_subnets - 1, args.cost_tol, args.seed)
        subnets = [dict(drawn['found'], name='anchor')] + drawn['random']
        opts = self.standalone_opts(self.space['subnet'])
        jobs = {
            c['name']: (dict(
                opts, **{
                    'model.subnet':
                    self.subnet_file('spread', c['name'], c['choices'])
                }), args.seeds)
            for c in subnets
        }
        accs = self.standalone('spread', self.space['subnet'], jobs)
        means = [mean(accs[c['name']]) for c in subnets]
        icc, icc_mean, seed_sd = icc1([accs[c['name']] for c in subnets])
        n = args.seeds
        flops = [c['flops'] for c in subnets]
        self.rows += [
            ('spread', f'{len(subnets)} {self.space["label"]} subnets within '
             f'{args.cost_tol:g}% of {flops[0]:.3f} MFLOPs '
             f'({min(flops):.3f}-{max(flops):.3f}): mean stand-alone top-1 '
             f'over {n} seeds', ', '.join(f'{m:.2f}' for m in means)),
            ('spread', 'sd of the subnet means / pooled sd between seeds',
             f'{statistics.stdev(means):.2f} / {seed_sd:.2f}'),
            ('spread', 'ICC(1): share of one training\'s variance that is '
             'the subnet', fmt(icc)),
            ('spread', f'ICC(1,{n}): reliability of a {n}-seed mean',
             fmt(icc_mean)),
        ]
        self.result['spread_icc'] = icc
        self.state.put('spread/summary',
                       dict(accs=accs, icc=icc, seed_sd=seed_sd))

    # -- helpers --
    def once(self, key, log, fn, *args):
        """A drawing unit: run once in a child, recorded in the state."""
        if key not in self.state:
            self.log(f'{key}')
            self.state.put(key, fork_call(osp.join(self.work, log), fn, *args))
        return self.state[key]

    def subnet_file(self, algo, name, choices):
        path = osp.join(self.work, algo, 'subnets', f'{name}.yaml')
        if not osp.isfile(path):
            from mmnas.structures import dump_subnet
            dump_subnet(choices, path)
        return path

    def table(self):
        lines = [
            '| algorithm | measure | value |', '|---|---|---|',
            *[f'| {a} | {m} | {v} |' for a, m, v in self.rows]
        ]
        text = '\n'.join(lines)
        settings = ', '.join(f'{k}={v}'
                             for k, v in self.state['settings'].items())
        atomic_write(
            osp.join(self.work, 'table.md'),
            text + f'\n\nSettings: {settings}.\n')
        return text


def spos_space(space):
    """The digits configs of a SPOS space by step, and its label."""
    return dict(
        label=SPOS_SPACES[space],
        **{
            step: f'{CFG}/spos/spos_{space}_{step}_1xb64_digits.py'
            for step in ('supernet', 'search', 'subnet')
        })


# -- children ----------------------------------------------------------------
def search_loop(config, opts, work_dir, load):
    """The evolution loop of ``config`` (with its runner), as the search
    builds it, with the supernet loaded when ``load`` and in the memory
    layout the search runs in (its ``ChannelsLastHook``): a quantized
    supernet's scores change with the layout (rounding at step
    boundaries)."""
    from mmnas import register_all_modules
    from mmnas.engine.hooks import ChannelsLastHook
    from mmnas.utils import set_quiet
    from mmnas.utils.config import load_config
    from mmnas.utils.launch import build_runner
    register_all_modules()
    set_quiet()
    cfg = load_config(config, opts)
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    cfg.launcher = 'none'
    if not load:
        cfg.load_from = None
    runner = build_runner(cfg)
    if load:
        runner.load_or_resume()
    for hook in runner.hooks:
        if isinstance(hook, ChannelsLastHook):
            hook.before_train(runner)
    loop = runner.train_loop
    loop._build_estimators()
    return loop


def leaning_choices(mutator, estimator, rng, strength=8.):
    """A random subnet whose choices lean, by an amount drawn per subnet,
    toward each decision's cheap or costly candidates (by FLOPs): from
    almost all-cheapest to almost all-costliest, where uniform draws all
    land near the middle of the space's FLOPs range."""
    lean = rng.uniform(-strength, strength)
    choices = {}
    for key in mutator.search_groups:
        cands = mutator.choices_of(key)
        costs = [estimator.candidate_cost(key, c)['flops'] for c in cands]
        order = sorted(range(len(cands)), key=costs.__getitem__)
        weights = [0.] * len(cands)
        for r, i in enumerate(order):
            weights[i] = math.exp(lean * (r / max(len(cands) - 1, 1) - .5))
        choices[key] = rng.choices(cands, weights)[0]
    return choices


def draw_spos(config, opts, work_dir, num_subnets, num_random, samples, seed):
    """The ranking subnets (``samples`` subnets drawn leaning toward cheap
    or costly choices; the one nearest each of ``num_subnets`` evenly spaced
    FLOPs over their range, so the ranking spans the space; ``valid``: inside
    the search's constraint) and ``num_random`` distinct uniformly random
    subnets that the search's ``is_valid`` accepts, each with its cost from
    the search loop's estimator."""
    loop = search_loop(config, opts, work_dir, load=False)
    mutator = loop.model.mutator
    rng = random.Random(seed)

    def entry(name, choices):
        return dict(
            name=name,
            choices=choices,
            flops=loop.cost(choices)['flops'],
            valid=loop.is_valid(choices))

    pool = {}
    for _ in range(samples):
        choices = leaning_choices(mutator, loop.estimator, rng)
        pool[json.dumps(choices,
                        sort_keys=True)] = (loop.cost(choices)['flops'],
                                            choices)
    pool = sorted(pool.values(), key=lambda fc: fc[0])
    low, high = pool[0][0], pool[-1][0]
    rank = []
    for i in range(num_subnets):
        target = low + (high - low) * i / max(num_subnets - 1, 1)
        j = min(range(len(pool)), key=lambda j: abs(pool[j][0] - target))
        rank.append(entry(f'rank{i:02d}', pool.pop(j)[1]))
    seen, rand = set(), []
    for _ in range(num_random * 1000):
        if len(rand) == num_random:
            break
        choices = dict(mutator.sample_choices(rng))
        key = json.dumps(choices, sort_keys=True)
        if key not in seen and loop.is_valid(choices):
            seen.add(key)
            rand.append(entry(f'rand{len(rand):03d}', choices))
    if len(rand) < num_random:
        raise UserError(f'only {len(rand)} of {num_random} random subnets '
                        'meet the search constraint')
    return dict(rank=rank, random=rand)


def score_spos(config, opts, work_dir, items, progress):
    """Score each ``(name, choices)`` with the evolution loop's ``score``
    (BN re-estimation, then validation), appending each to ``progress``."""
    loop = search_loop(config, opts, work_dir, load=True)
    for name, choices in items:
        score = loop.score(choices)
        with open(progress, 'a') as f:
            f.write(json.dumps(dict(name=name, score=score)) + '\n')
            f.flush()
            os.fsync(f.fileno())
    return len(items)


def draw_same_cost(config,
                   found,
                   num,
                   tol,
                   seed,
                   net_config=False,
                   max_samples=200000):
    """``num`` distinct random subnets of ``config``'s space within ``tol``
    percent of the FLOPs of ``found`` (``CostTable``; for DenseNAS the
    one-hot chained cost of the derived path, distinct by net_config).
    ``found=None`` takes a uniformly random subnet, drawn from a stream of
    its own (``seed + 1``)."""
    from mmengine.config import Config

    from mmnas import register_all_modules
    from mmnas.estimators import CostTable
    from mmnas.registry import MODELS
    register_all_modules()
    model = MODELS.build(Config.fromfile(config).model)
    if net_config:

        def cost(choices):
            return float(model.cost_of(choices)) / 1e6

        def ident(choices):
            return model.net_config_of(choices)
    else:
        table = CostTable(INPUT_SHAPE).bind(model.architecture, model.mutator)

        def cost(choices):
            return table.cost(choices)['flops'] / 1e6

        def ident(choices):
            return json.dumps(choices, sort_keys=True)

    def entry(name, choices):
        rec = dict(name=name, choices=choices, flops=cost(choices))
        if net_config:
            rec['net_config'] = model.net_config_of(choices)
        return rec

    if found is None:
        found = dict(model.mutator.sample_choices(random.Random(seed + 1)))
    target = cost(found)
    rng = random.Random(seed)
    seen = {ident(found)}
    rand = []
    for _ in range(max_samples):
        if len(rand) == num:
            break
        choices = dict(model.mutator.sample_choices(rng))
        if abs(cost(choices) - target) > tol / 100 * target:
            continue
        key = ident(choices)
        if key not in seen:
            seen.add(key)
            rand.append(entry(f'rand{len(rand):03d}', choices))
    if len(rand) < num:
        raise UserError(f'{config}: only {len(rand)} of {num} random subnets '
                        f'within {tol}% of {target:.3f} MFLOPs in '
                        f'{max_samples} samples; raise --cost-tol.')
    return dict(found=entry('found', dict(found)), random=rand)


# -- statistics --------------------------------------------------------------
def mean(xs):
    return sum(xs) / len(xs)


def median(xs):
    return statistics.median(xs)


def mean_sd(xs):
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f'{mean(xs):.2f} +- {sd:.2f}'


def fmt(x, digits=3):
    return 'n/a' if x is None else f'{x:.{digits}f}'


def kendall(x, y):
    """Kendall tau-b (ties counted as scipy does); None when undefined
    (fewer than two items, or one side constant)."""
    from scipy.stats import kendalltau
    if len(x) < 2:
        return None
    tau = kendalltau(x, y).statistic
    return None if tau != tau else float(tau)


def icc1(groups):
    """One-way random-effects intraclass correlation of groups of equal
    size (at least 2 of 2): ICC(1) of one measurement, ICC(1,k) of a
    group's mean (Shrout and Fleiss 1979), each None where undefined, and
    the pooled sd within groups."""
    k, n = len(groups), len(groups[0])
    grand = mean([x for g in groups for x in g])
    between = n * sum((mean(g) - grand)**2 for g in groups) / (k - 1)
    within = sum((x - mean(g))**2 for g in groups for x in g) / (k * (n - 1))
    single = between + (n - 1) * within
    return ((between - within) / single if single else None,
            (between - within) / between if between else None, within**.5)


def icc1_of_pool(accs, seeds):
    """ICC(1) of a percentile pool over the first ``seeds`` trainings of
    each subnet, and the sd between seeds; ``(None, None)`` below two
    subnets."""
    groups = [list(a)[:seeds] for a in accs]
    if len(groups) < 2:
        return None, None
    icc, _, seed_sd = icc1(groups)
    return icc, seed_sd


def perfect_search_percentile(icc,
                              seed_sd,
                              pool_size,
                              pool_seeds,
                              found_seeds,
                              candidates,
                              sims=100000,
                              seed=0):
    """The percentile a search that ranks its ``candidates`` perfectly
    would land at in a pool with this ICC(1) and seed sd: mean, 10th and
    90th percentile over simulated runs, or None where the ICC is undefined.
    Stand-alone accuracies are modelled as normal: the subnet's (the sd
    the ICC implies) plus the seed's; the pick is the true best of
    ``candidates`` drawn like the pool's subnets, measured as the mean of
    ``found_seeds`` trainings against ``pool_size`` means of
    ``pool_seeds``. Where this is not well above a percentile target, no
    search can be shown to reach it on this pool."""
    import numpy as np
    if icc is None or seed_sd is None:
        return None
    icc = min(max(icc, 0.0), 1.0 - 1e-9)
    between = seed_sd * math.sqrt(icc / (1.0 - icc))
    rng = np.random.default_rng(seed)
    pick = rng.normal(0, between, (sims, candidates)).max(1) + rng.normal(
        0, seed_sd / math.sqrt(found_seeds), sims)
    pool = rng.normal(0, between, (sims, pool_size)) + rng.normal(
        0, seed_sd / math.sqrt(pool_seeds), (sims, pool_size))
    pct = 100.0 * (pool < pick[:, None]).mean(1)
    return (float(pct.mean()), float(np.percentile(pct, 10)),
            float(np.percentile(pct, 90)))


def pool_row(label, size, seeds, icc, seed_sd, pool='that pool'):
    """The table row that says whether a percentile pool's subnets differ
    beyond their seeds: near zero or below, the percentile ranks seed
    noise."""
    sd = 'n/a' if seed_sd is None else f'{seed_sd:.2f}'
    return (label, f'{pool}\'s ICC(1) over {seeds} seeds of each of its '
            f'{size} subnets / seed sd (near 0: the percentile ranks seed '
            'noise)', f'{fmt(icc)} / {sd}')


def percentile(x, pool):
    """Percent of ``pool`` below ``x``, ties counted half."""
    below = sum(p < x for p in pool) + 0.5 * sum(p == x for p in pool)
    return 100.0 * below / len(pool)


def read_jsonl(path):
    if not osp.isfile(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:  # a line cut by a kill
                continue
    return out


def folder_stats(root, sample=2000):
    """The classes of ``root``, a dataset in the ImageNet folder layout read
    as the configs read it (the same classes under ``train/`` and ``val/``),
    and the per-channel mean and std of up to ``sample`` of its training
    images resized to 32x32, in the order images load (BGR)."""
    import cv2
    import numpy as np

    from mmnas.datasets import ImageFolder
    if not osp.isdir(root):
        raise UserError(f'--data-root {root} is not a folder; give a dataset '
                        'in the ImageNet folder layout (train/<class>/<image>'
                        ', val/<class>/<image>).')
    splits = {
        split: ImageFolder(data_root=root, data_prefix=split, pipeline=[])
        for split in ('train', 'val')
    }
    classes = {k: list(v.metainfo['classes']) for k, v in splits.items()}
    if classes['train'] != classes['val']:
        raise UserError(f'--data-root {root}: train/ and val/ hold other '
                        f'classes ({classes["train"]} / {classes["val"]}); '
                        'give both splits the same class folders.')
    if len(classes['train']) < 2:
        raise UserError(f'--data-root {root} holds one class; a '
                        'classification task needs at least two.')
    train = splits['train']
    picks = random.Random(0).sample(range(len(train)), min(sample, len(train)))
    images = []
    for i in sorted(picks):
        path = train.get_data_info(i)['img_path']
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise UserError(f'{path} is not an image OpenCV can read; '
                            'remove or convert it.')
        images.append(cv2.resize(image, INPUT_SHAPE[2:]))
    pixels = np.stack(images).reshape(-1, 3).astype(np.float64)
    return dict(
        classes=classes['train'],
        images={k: len(v)
                for k, v in splits.items()},
        mean=[round(float(x), 3) for x in pixels.mean(0)],
        std=[round(float(x), 3) for x in pixels.std(0)])


def load_choices(path):
    from mmnas.structures import load_subnet
    if not osp.isfile(path):
        raise RunFailed(f'the search wrote no {path}')
    return dict(load_subnet(path))


# -- command line ------------------------------------------------------------
def build_parser():
    parser = argparse.ArgumentParser(
        description='Search quality: supernet ranking (Kendall tau) and '
        'searched vs random subnets, trained stand-alone.')
    parser.add_argument(
        '--algorithm',
        action='append',
        choices=PARTS,
        help='run this part (repeatable; default: the four algorithms, in '
        'order; spread only when named)')
    parser.add_argument(
        '--work-dir',
        default=osp.join(ROOT, 'work_dirs', 'bench_search_quality'))
    parser.add_argument(
        '--quick',
        action='store_true',
        help='a few subnets, 1 epoch, 8 images per class (the test suite); '
        'its values replace the defaults of the options below')
    parser.add_argument(
        '--supernet-ckpt',
        help='a trained SPOS digits supernet of --spos-space to use')
    parser.add_argument(
        '--num-subnets', type=int, default=20, help='SPOS ranking subnets')
    parser.add_argument(
        '--seeds',
        type=int,
        default=2,
        help='stand-alone seeds of ranking and random subnets (>= 2)')
    parser.add_argument(
        '--found-seeds',
        type=int,
        default=3,
        help='stand-alone seeds of the searched / found subnets')
    parser.add_argument(
        '--epochs',
        type=int,
        help='stand-alone epochs (default: the subnet config\'s schedule)')
    parser.add_argument(
        '--search-epochs',
        type=int,
        help='supernet / search epochs, phases scaled (default: the '
        'config\'s)')
    parser.add_argument(
        '--train-per-class',
        type=int,
        help='train every stand-alone subnet on this many images per class')
    parser.add_argument(
        '--samples',
        type=int,
        default=1000,
        help='leaning random subnets the ranking subnets are picked from')
    parser.add_argument(
        '--pool-size',
        type=int,
        default=10,
        help='random valid subnets added to the SPOS percentile pool')
    parser.add_argument(
        '--num-random',
        type=int,
        default=10,
        help='random same-cost subnets per DSNAS/PONAS/DenseNAS result')
    parser.add_argument(
        '--cost-tol',
        type=float,
        default=3.0,
        help='same cost: within this percent of the FLOPs')
    parser.add_argument(
        '--ponas-flops',
        type=float,
        default=1.35,
        help='PONAS deployment constraint, MFLOPs')
    parser.add_argument(
        '--search-flops',
        type=float,
        help='SPOS: the search\'s FLOPs limit in MFLOPs, 0 to this (default: '
        'the search config\'s); the percentile pool keeps to it too')
    parser.add_argument(
        '--search-runs',
        type=int,
        default=1,
        help='SPOS: evolution search runs (train_cfg.seed 0..N-1), each '
        'pick retrained with --found-seeds seeds')
    parser.add_argument(
        '--search-candidates',
        type=int,
        help='(--quick) candidates of the one SPOS search generation')
    from mmnas.datasets.digits import add_distort_argument
    task = parser.add_mutually_exclusive_group()
    add_distort_argument(
        task, 'run every step on distorted digits: TRAIN / VAL random '
        'affine + noise copies of each image (a harder task that separates '
        'subnets; see prepare_digits.py)')
    task.add_argument(
        '--data-root',
        help='run every step on this dataset instead of the digits: a '
        'folder in the ImageNet layout (train/<class>/<image>, '
        'val/<class>/<image>, the same classes), read at 32x32 as the '
        'digits are; the heads get its number of classes and the data '
        'preprocessors its per-channel mean and std')
    parser.add_argument(
        '--spread-subnets',
        type=int,
        default=6,
        help='spread: same-cost SPOS subnets, each trained with --seeds '
        'seeds')
    parser.add_argument(
        '--spos-space',
        choices=sorted(SPOS_SPACES),
        default='shufflenet',
        help='the SPOS search space of the spos and spread parts (its '
        'digits configs)')
    parser.add_argument('--seed', type=int, default=0, help='drawing seed')
    parser.add_argument(
        '--jobs',
        type=int,
        default=1,
        help='stand-alone trainings at a time (e.g. one per core with '
        'OMP_NUM_THREADS=1)')
    return parser


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.quick:
        for k, v in QUICK.items():
            if getattr(args, k) == parser.get_default(k):
                setattr(args, k, v)
    if args.seeds < 2:
        parser.error('--seeds must be at least 2 (the noise ceiling needs '
                     'two seeds)')
    if args.num_subnets < 2:
        parser.error('--num-subnets must be at least 2')
    if args.search_runs < 1:
        parser.error('--search-runs must be at least 1')
    if args.spread_subnets < 2:
        parser.error('--spread-subnets must be at least 2')
    if args.distort and args.train_per_class is not None \
            and not args.quick:
        parser.error('--distort and --train-per-class are two ways to make '
                     'the task harder; choose one')
    args.algorithm = [a for a in PARTS if a in (args.algorithm or ALGORITHMS)]
    return args


@cli_main
def main(argv=None):
    args = parse_args(argv)
    if args.supernet_ckpt and not osp.isfile(args.supernet_ckpt):
        supernet = spos_space(args.spos_space)['supernet']
        raise UserError(f'--supernet-ckpt {args.supernet_ckpt!r} does not '
                        'exist; give a checkpoint written by training '
                        f'{osp.relpath(supernet, ROOT)}.')
    if args.data_root is None and \
            not osp.isfile(osp.join(DIGITS, 'manifest.json')):
        raise UserError(f'{DIGITS} has no digits data; write it first: '
                        'python tools/dataset_converters/prepare_digits.py '
                        '--out data/digits')
    os.chdir(ROOT)  # the configs' relative data paths
    bench = Bench(args)
    for algo in args.algorithm:
        getattr(bench, algo)()
    text = bench.table()
    print(text)
    print(f'(table and state in {bench.work})')
    print('RESULT: ' + ' '.join(f'{k}={fmt(v, 1 if "pct" in k else 3)}'
                                for k, v in bench.result.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
