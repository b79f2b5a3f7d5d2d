"""Does single-path supernet training learn on the digits data?

Trains the digits SPOS ShuffleNetV2 supernet (quarter width) on the digits
train split with a plain loop (SGD lr 0.1, momentum 0.9, batch 64, label
smoothing 0.1, the SPOS init) under different path policies, and prints the
mean training loss of the last 10 steps after each epoch (chance: ln 10 =
2.303):

- ``uniform``: SPOS, every block drawn uniformly at random each step;
- ``fixed``: one path drawn once and trained alone;
- ``stride2``: only the four downsampling blocks drawn, the rest fixed;
- ``warm``: the warm start of the digits configs: every block's first
  candidate trained alone for ``--warm-epochs``, copied into every other
  candidate (``NasMutator.inherit_weights``), then uniform sampling;
- ``mmrazor`` (with ``--peer-python``): MMRazor 1.0's SPOS supernet at the
  same width on the same tensors, its own sampling.

    python benchmarks/supernet_learning.py [--epochs 6] [--policies ...]
        [--peer-python /work/peer_venv/bin/python]

The images go through the config's test pipeline (no random crop) once and
are kept as one tensor, so both toolkits see the same bytes in the same
order.
"""
import argparse
import os.path as osp
import random
import sys

import numpy as np
import torch
from peer import check_peer, run_peer

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT,
                  'configs/nas/spos/spos_shufflenet_supernet_1xb64_digits.py')

# the same loop on MMRazor's supernet; argv: data.npz epochs seed
PEER_SCRIPT = r'''
import json, pathlib, sys, warnings
warnings.filterwarnings('ignore')
import numpy as np, torch
import mmrazor
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmrazor.registry import MODELS
from mmrazor.utils import register_all_modules
register_all_modules(True)
MMLogger.get_instance('supernet_learning', log_level='WARNING')
from mmcls.structures import ClsDataSample
from mmcls.utils import register_all_modules as cls_register
cls_register(False)
data, epochs, seed = np.load(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(seed)
np.random.seed(seed)
cfg = Config.fromfile(str(pathlib.Path(mmrazor.__file__).parent / '.mim' /
                          'configs/nas/mmcls/spos/'
                          'spos_shufflenet_supernet_8xb128_in1k.py'))
arch = cfg.model.architecture
arch.backbone.widen_factor = 0.25
arch.head.update(num_classes=10, topk=(1, ), loss=dict(
    type='LabelSmoothLoss', num_classes=10, label_smooth_val=0.1,
    mode='original', loss_weight=1.0))
model = MODELS.build(cfg.model)
model.init_weights()
x, y = torch.from_numpy(data['x']), torch.from_numpy(data['y'])
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9,
                      weight_decay=4e-5)
model.train()
curve, hist = [], []
for _ in range(epochs):
    perm = torch.from_numpy(data['perm'])
    for i in range(0, len(x) - 63, 64):
        idx = perm[i:i + 64]
        samples = [ClsDataSample().set_gt_label(int(t)) for t in y[idx]]
        model.mutator.set_choices(model.mutator.sample_choices())
        losses = model.architecture(x[idx], samples, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        opt.zero_grad()
        loss.backward()
        opt.step()
        hist.append(loss.item())
    curve.append(sum(hist[-10:]) / 10)
print(json.dumps(curve))
'''


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=6)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument(
        '--policies',
        nargs='+',
        default=['uniform', 'fixed', 'stride2', 'warm'],
        choices=['uniform', 'fixed', 'stride2', 'warm'])
    ap.add_argument(
        '--warm-epochs',
        type=int,
        default=4,
        help='single-path epochs of the warm policy')
    ap.add_argument(
        '--peer-python',
        help='python of an MMRazor 1.0 venv '
        '(../shared/peers/mmrazor/setup.sh) to add its curve')
    return ap.parse_args()


def digits_tensors(cfg):
    """The train split through the test pipeline and the data
    preprocessor: (N, 3, 32, 32) float images and labels."""
    from mmengine.runner import Runner

    from mmnas.registry import MODELS
    loader = dict(
        cfg.train_dataloader,
        num_workers=0,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False))
    loader['dataset'] = dict(
        loader['dataset'], pipeline=cfg.test_dataloader.dataset.pipeline)
    preprocess = MODELS.build(
        dict(type='ClsDataPreprocessor', **cfg.data_preprocessor))
    xs, ys = [], []
    for batch in Runner.build_dataloader(loader):
        batch = preprocess(batch, False)
        xs.append(batch['inputs'])
        ys += [int(s.gt_label.label) for s in batch['data_samples']]
    return torch.cat(xs), torch.tensor(ys)


def train(policy, cfg, x, y, perm, epochs, seed, warm_epochs=4):
    from mmcls.structures import ClsDataSample

    from mmnas.registry import MODELS
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    mutator = model.mutator
    fixed = mutator.sample_choices(rng)
    reference = mutator.reference_choices()
    opt = torch.optim.SGD(
        model.parameters(), lr=0.1, momentum=0.9, weight_decay=4e-5)
    model.train()
    curve, hist = [], []
    for epoch in range(epochs):
        if policy == 'warm' and epoch == warm_epochs:
            mutator.inherit_weights(reference)
        for i in range(0, len(x) - 63, 64):
            idx = perm[i:i + 64]
            drawn = mutator.sample_choices(rng)
            if policy == 'warm' and epoch < warm_epochs:
                drawn = reference
            elif policy == 'fixed':
                drawn = fixed
            elif policy == 'stride2':  # block 0 of a stage downsamples
                drawn = {
                    k: c if k.endswith('.0') else fixed[k]
                    for k, c in drawn.items()
                }
            mutator.set_choices(drawn)
            samples = [ClsDataSample().set_gt_label(int(t)) for t in y[idx]]
            losses = model.architecture(x[idx], samples, mode='loss')
            loss = sum(v for k, v in losses.items() if 'loss' in k)
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist.append(loss.item())
        curve.append(sum(hist[-10:]) / 10)
    return curve


def peer_curve(python, x, y, perm, epochs, seed):
    """The same loop on MMRazor's supernet, in its own venv."""

    def inputs(d):
        data = osp.join(d, 'data.npz')
        np.savez(data, x=x.numpy(), y=y.numpy(), perm=perm.numpy())
        return [data, str(epochs), str(seed)]

    return run_peer(python, PEER_SCRIPT, inputs, threads=1)


def main():
    args = parse_args()
    if args.peer_python:
        check_peer(args.peer_python)  # before minutes of training
    torch.set_num_threads(1)
    sys.path.insert(0, ROOT)
    from mmengine.logging import MMLogger

    from mmnas import register_all_modules
    from mmnas.utils.config import load_config
    register_all_modules()
    # keep stdout for the table: silence the per-parameter init log
    MMLogger.get_instance('supernet_learning', log_level='WARNING')
    cfg = load_config(CONFIG)
    x, y = digits_tensors(cfg)
    # one fixed order for every policy and the peer
    perm = torch.randperm(
        len(x), generator=torch.Generator().manual_seed(args.seed))
    curves = {
        p: train(p, cfg, x, y, perm, args.epochs, args.seed, args.warm_epochs)
        for p in args.policies
    }
    if args.peer_python:
        curves['mmrazor'] = peer_curve(args.peer_python, x, y, perm,
                                       args.epochs, args.seed)
    print('policy   ' + ' '.join(f'ep{e + 1:<4}' for e in range(args.epochs)))
    for policy, curve in curves.items():
        print(f'{policy:<9}' + ' '.join(f'{v:<6.3f}' for v in curve))


if __name__ == '__main__':
    main()
