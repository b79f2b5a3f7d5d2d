"""tools/model_converters/mmrazor2mmnas.py on checkpoints that MMRazor 1.0.0
made (tests/data/mmrazor/make_fixtures.py): the converted nets give
MMRazor's logits, and incomplete checkpoints are refused."""
import importlib.util
import json
import os.path as osp

import pytest
import torch
from conftest import ROOT, run_tool

from mmnas import register_all_modules
from mmnas.registry import MODELS
from mmnas.utils.checkpoint_io import CheckpointError
from mmnas.utils.config import load_config

DATA = osp.join(ROOT, 'tests', 'data', 'mmrazor')
CONFIGS = dict(
    spos_shufflenet='configs/nas/spos/spos_shufflenet_{}_8xb128_in1k.py',
    spos_mobilenet='configs/nas/spos/spos_mobilenet_{}_8xb128_in1k.py',
    dsnas='configs/nas/dsnas/dsnas_shufflenet_{}_8xb128_in1k.py')


def converter():
    path = osp.join(ROOT, 'tools', 'model_converters', 'mmrazor2mmnas.py')
    spec = importlib.util.spec_from_file_location('mmrazor2mmnas', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def options(space, kind):
    """--cfg-options giving the mmnas config the fixture's reduced size."""
    with open(osp.join(DATA, space, 'settings.json')) as f:
        s = json.load(f)
    arch = 'model.architecture'
    opts = {
        f'{arch}.backbone.arch_setting': s['arch'],
        f'{arch}.head.num_classes': s['num_classes'],
        f'{arch}.head.loss.num_classes': s['num_classes'],
    }
    for k, v in s['backbone'].items():
        opts[f'{arch}.backbone.{k}'] = v
    if 'last_channels' in s['backbone']:
        opts[f'{arch}.head.in_channels'] = s['backbone']['last_channels']
    if kind == 'subnet':
        opts['model.subnet'] = osp.join(DATA, space, 'subnet.yaml')
    return opts


def cli_options(opts):
    return ['--cfg-options'] + [
        f'{k}={json.dumps(v).replace(" ", "")}'
        if not isinstance(v, str) else f'{k}={v}' for k, v in opts.items()
    ]


def build(space, kind, **extra):
    register_all_modules()
    cfg = load_config(CONFIGS[space].format(kind), options(space, kind))
    cfg.model.update(extra)
    return MODELS.build(cfg.model).eval()


def mmrazor_io(space):
    return torch.load(osp.join(DATA, space, 'io.pth'))


def logits(model, inputs):
    """Our logits with one thread, as MMRazor's fixtures were made."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            return model(inputs, mode='tensor')
    finally:
        torch.set_num_threads(threads)


def assert_mmrazors_logits(ours, theirs):
    """Bit-equal with one thread on the machine that made the fixtures;
    1e-6 allows a CPU whose kernels sum in another order."""
    assert (ours - theirs).abs().max().item() <= 1e-6


@pytest.mark.parametrize('space', list(CONFIGS))
def test_fixed_subnet_converts_to_mmrazors_logits(space, tmp_path):
    out = str(tmp_path / 'subnet.pth')
    converter()([
        osp.join(DATA, space, 'subnet.pth'), out, '--config',
        CONFIGS[space].format('subnet')
    ] + cli_options(options(space, 'subnet')))
    model = build(space, 'subnet')
    model.load_state_dict(torch.load(out)['state_dict'], strict=True)
    io = mmrazor_io(space)
    assert_mmrazors_logits(logits(model, io['inputs']), io['logits'])


@pytest.mark.parametrize('space', list(CONFIGS))
def test_supernet_converts_and_its_subnet_gives_mmrazors_logits(
        space, tmp_path, capsys):
    out = str(tmp_path / 'supernet.pth')
    converter()([
        osp.join(DATA, space, 'supernet.pth'), out, '--config',
        CONFIGS[space].format('supernet')
    ] + cli_options(options(space, 'supernet')))
    assert 'not used' not in capsys.readouterr().out
    model = build(space, 'subnet', supernet_checkpoint=out)
    io = mmrazor_io(space)
    assert_mmrazors_logits(logits(model, io['inputs']), io['logits'])


def test_supernet_to_subnet_lists_the_unchosen_candidates(tmp_path, capsys):
    space = 'spos_shufflenet'
    out = str(tmp_path / 'subnet.pth')
    converter()([
        osp.join(DATA, space, 'supernet.pth'), out, '--config',
        CONFIGS[space].format('subnet')
    ] + cli_options(options(space, 'subnet')))
    printed = capsys.readouterr().out
    assert 'backbone.layers.0.0: unchosen candidates shuffle_5x5' in printed
    model = build(space, 'subnet')
    model.load_state_dict(torch.load(out)['state_dict'], strict=True)
    io = mmrazor_io(space)
    assert_mmrazors_logits(logits(model, io['inputs']), io['logits'])


@pytest.mark.parametrize('kind', ['subnet', 'supernet'])
def test_a_checkpoint_missing_one_tensor_is_refused(kind, tmp_path, capsys):
    space = 'spos_mobilenet'
    ckpt = torch.load(osp.join(DATA, space, f'{kind}.pth'))
    gone = 'architecture.backbone.conv2.conv.weight'
    del ckpt['state_dict'][gone]
    src = str(tmp_path / 'cut.pth')
    torch.save(ckpt, src)
    out = tmp_path / 'out.pth'
    with pytest.raises(SystemExit, match='2'):
        converter()(
            [src, str(out), '--config', CONFIGS[space].format(kind)] +
            cli_options(options(space, kind)))
    err = capsys.readouterr().err
    assert 'missing from the checkpoint (1):\n    backbone.last_conv.conv.' \
        'weight' in err and not out.exists()


def test_an_unconverted_mmrazor_checkpoint_is_refused_naming_the_converter():
    space = 'spos_mobilenet'
    with pytest.raises(CheckpointError, match='mmrazor2mmnas.py') as e:
        build(
            space,
            'subnet',
            supernet_checkpoint=osp.join(DATA, space, 'supernet.pth'))
    assert 'backbone.layers.0.0' in str(e.value)  # missing under our name


def test_dsnas_architecture_logits_come_from_mmrazors_mutator(tmp_path):
    src = osp.join(DATA, 'dsnas', 'supernet.pth')
    out = str(tmp_path / 'supernet.pth')
    converter()([src, out, '--config', CONFIGS['dsnas'].format('supernet')] +
                cli_options(options('dsnas', 'supernet')))
    theirs = torch.load(src)['state_dict']
    ours = torch.load(out)['state_dict']
    blocks = ['0.0', '1.0', '2.0', '2.1', '3.0']  # the fixture's 5 blocks
    for k, block in enumerate(blocks):
        assert torch.equal(
            ours[f'architecture.backbone.layers.{block}.arch_param'],
            theirs[f'mutator._arch_params.module_{k}'])


def test_tools_test_runs_on_the_converted_checkpoint(digits_root, tmp_path):
    space = 'spos_shufflenet'
    config = CONFIGS[space].format('subnet')
    opts = cli_options(options(space, 'subnet'))
    out = str(tmp_path / 'subnet.pth')
    converter()(
        [osp.join(DATA, space, 'subnet.pth'), out, '--config', config] + opts)
    run_tool([
        'tools/test.py', config, out, '--work-dir',
        str(tmp_path / 'test'), '--out',
        str(tmp_path / 'metrics.json')
    ] + opts + [
        f'test_dataloader.dataset.data_root={digits_root}',
        'test_dataloader.dataset.type=ImageFolder',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ])
    assert 'accuracy/top1' in json.load(open(tmp_path / 'metrics.json'))
