"""Make the MMRazor interop fixtures with the real MMRazor 1.0.0.

Run with the peer venv (../shared/peers/mmrazor/setup.sh), never with
mmnas' own::

    PEER/bin/python tests/data/mmrazor/make_fixtures.py [OUT_DIR]

Per space (SPOS ShuffleNetV2, SPOS MobileNet, DSNAS ShuffleNetV2) at a
reduced size (width 0.125, fewer blocks, 10 classes, 32x32 input), with
random weights and BN statistics, it writes into ``OUT_DIR/<space>/``:

- ``supernet.pth``: the algorithm's checkpoint as MMRazor's runner saves it
  (``architecture.`` keys; DSNAS adds ``mutator._arch_params``);
- ``subnet.pth``: the fixed subnet (``export_fix_subnet(slice_weight=True)``);
- ``subnet.yaml``: the chosen subnet with MMRazor's mutable names;
- ``io.pth``: an input and MMRazor's eval logits of the fixed subnet;
- ``settings.json``: the reduced settings, for the matching mmnas config.
"""
import json
import os
import os.path as osp
import pathlib
import sys

import torch

SPACES = dict(
    spos_shufflenet=dict(
        config='spos/spos_shufflenet_supernet_8xb128_in1k.py',
        arch=[[64, 1], [160, 1], [320, 2], [640, 1]],
        backbone=dict(widen_factor=0.125)),
    spos_mobilenet=dict(
        config='spos/spos_mobilenet_supernet_8xb128_in1k.py',
        arch=[[24, 1, 1], [32, 2, 2], [56, 1, 2], [112, 1, 2], [128, 1, 1],
              [256, 1, 2], [432, 1, 1]],
        backbone=dict(widen_factor=0.125, last_channels=128)),
    dsnas=dict(
        config='dsnas/dsnas_supernet_8xb128_in1k.py',
        arch=[[64, 1], [160, 1], [320, 2], [640, 1]],
        backbone=dict(widen_factor=0.125)),
)
NUM_CLASSES = 10
SHAPE = (2, 3, 32, 32)


def build(space):
    import mmrazor
    from mmengine.config import Config
    from mmrazor.registry import MODELS
    spec = SPACES[space]
    root = pathlib.Path(mmrazor.__file__).parent / '.mim/configs/nas/mmcls'
    cfg = Config.fromfile(str(root / spec['config']))
    backbone = cfg.model.architecture.backbone
    stage_cfg = backbone.arch_setting
    # keep each stage's mutable config, change width/blocks only
    backbone.arch_setting = [
        list(new) + [old[-1]] for new, old in zip(spec['arch'], stage_cfg)
    ]
    backbone.update(spec['backbone'])
    head = cfg.model.architecture.head
    head.num_classes = NUM_CLASSES
    head.loss.num_classes = NUM_CLASSES
    head.in_channels = spec['backbone'].get('last_channels', head.in_channels)
    return MODELS.build(cfg.model)


def randomise(model, gen):
    """Random weights and BN statistics, so that every tensor matters."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.dtype != torch.float32:
                continue
            if name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            elif name.endswith(('running_mean', 'bias')):
                t.copy_(torch.randn(t.shape, generator=gen) * 0.1)
            elif t.dim() == 1:  # BN weight, arch params
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            else:
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=gen) / fan_in**0.5)


def choose(model):
    """Cycle through the candidates so that every kind is chosen."""
    from mmrazor.models.mutables import DiffMutableOP, OneShotMutableOP
    mutables = [(n, m) for n, m in model.architecture.named_modules()
                if isinstance(m, (OneShotMutableOP, DiffMutableOP))]
    for i, (_, m) in enumerate(mutables):
        m.current_choice = m.choices[i % len(m.choices)]


def save(obj, path):
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def make(space, out_dir):
    from mmrazor.structures import export_fix_subnet
    gen = torch.Generator().manual_seed(0)
    model = build(space)
    model.init_weights()
    randomise(model, gen)
    choose(model)
    subnet, fixed = export_fix_subnet(model, slice_weight=True)
    fixed.eval()
    x = torch.randn(SHAPE, generator=gen)
    with torch.no_grad():
        logits = fixed.architecture(x, mode='tensor')
    d = osp.join(out_dir, space)
    os.makedirs(d, exist_ok=True)
    meta = dict(mmrazor_version=__import__('mmrazor').__version__)
    save(
        dict(state_dict=model.state_dict(), meta=meta),
        osp.join(d, 'supernet.pth'))
    save(
        dict(state_dict=fixed.state_dict(), meta=meta),
        osp.join(d, 'subnet.pth'))
    save(dict(inputs=x, logits=logits), osp.join(d, 'io.pth'))
    # mutable names inside the architecture, as MMRazor's subnet files
    chosen = {
        k[len('architecture.'):]: dict(chosen=v.chosen)
        for k, v in subnet.items()
    }
    import yaml
    with open(osp.join(d, 'subnet.yaml'), 'w') as f:
        yaml.safe_dump(chosen, f, sort_keys=False)
    spec = SPACES[space]
    with open(osp.join(d, 'settings.json'), 'w') as f:
        json.dump(
            dict(
                arch=spec['arch'],
                backbone=spec['backbone'],
                num_classes=NUM_CLASSES,
                shape=SHAPE),
            f,
            indent=1)
    print(space, 'supernet', len(model.state_dict()), 'subnet',
          len(fixed.state_dict()), 'tensors')


def main():
    torch.set_num_threads(1)
    from mmcls.utils import register_all_modules as register_mmcls
    from mmrazor.utils import register_all_modules
    register_all_modules(True)
    register_mmcls(False)
    out_dir = sys.argv[1] if len(sys.argv) > 1 else osp.dirname(
        osp.abspath(__file__))
    for space in SPACES:
        make(space, out_dir)


if __name__ == '__main__':
    main()
