"""tools/deployment/pytorch2onnx.py: one subnet of every algorithm exports
with a dynamic batch and --verify passes; an MMRazor checkpoint converted
with mmrazor2mmnas.py gives MMRazor's logits in onnxruntime."""
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch
from conftest import ROOT

ort = pytest.importorskip('onnxruntime')
NAS = 'configs/nas/'
SUBNETS = [
    'spos/spos_shufflenet_subnet_8xb128_in1k.py',
    'spos/spos_mobilenet_subnet_8xb128_in1k.py',
    'dsnas/dsnas_shufflenet_subnet_8xb128_in1k.py',
    'densenas/densenas_a_8xb128_in1k.py',
    'ponas/ponas_a_subnet_8xb128_in1k.py',
]


def tool(*parts):
    path = osp.join(ROOT, 'tools', *parts)
    spec = importlib.util.spec_from_file_location(parts[-1][:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def run_ort(path, x):
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    return session.run(None, {'input': x})[0]


@pytest.mark.parametrize('config', SUBNETS)
def test_every_algorithm_exports_and_verifies(config, tmp_path, capsys):
    out = str(tmp_path / 'net.onnx')
    assert tool('deployment', 'pytorch2onnx.py')([
        NAS + config, '--shape', '32', '32', '--output-file', out, '--verify'
    ]) == 0
    assert 'max abs diff' in capsys.readouterr().out
    scores = run_ort(out, np.zeros((3, 3, 32, 32), np.float32))
    assert scores.shape[0] == 3  # dynamic batch


def test_a_search_config_exports_its_subnet(tmp_path):
    out = str(tmp_path / 'net.onnx')
    args = [NAS + 'spos/spos_shufflenet_supernet_8xb128_in1k.py']
    export = tool('deployment', 'pytorch2onnx.py')
    with pytest.raises(SystemExit, match='2'):
        export(args + ['--shape', '32', '32', '--output-file', out])
    assert export(args + [
        '--subnet', NAS + 'spos/SPOS_SUBNET.yaml', '--shape', '32', '32',
        '--output-file', out, '--verify'
    ]) == 0


def test_a_converted_mmrazor_subnet_gives_mmrazors_logits(tmp_path):
    data = osp.join(ROOT, 'tests', 'data', 'mmrazor', 'spos_shufflenet')
    opts = [
        '--cfg-options',
        'model.architecture.backbone.arch_setting=[[64,1],[160,1],[320,2],'
        '[640,1]]', 'model.architecture.backbone.widen_factor=0.125',
        'model.architecture.head.num_classes=10',
        f'model.subnet={data}/subnet.yaml'
    ]
    config = NAS + 'spos/spos_shufflenet_subnet_8xb128_in1k.py'
    ckpt, out = str(tmp_path / 'subnet.pth'), str(tmp_path / 'net.onnx')
    tool('model_converters', 'mmrazor2mmnas.py')(
        [osp.join(data, 'subnet.pth'), ckpt, '--config', config] + opts)
    assert tool(
        'deployment', 'pytorch2onnx.py'
    )([config, ckpt, '--shape', '32', '32', '--output-file', out, '--verify'] +
      opts) == 0
    io = torch.load(osp.join(data, 'io.pth'))
    got = run_ort(out, io['inputs'].numpy())
    assert np.abs(got - io['logits'].numpy()).max() <= 1e-4


def test_channels_last_shuffle_unit_exports(tmp_path):
    """A unit run in channels_last (as ChannelsLastHook leaves a trained
    model) exports through the same ops as in NCHW, and onnxruntime gives
    its outputs."""
    from mmnas.models.ops import ShuffleBlock
    torch.manual_seed(0)
    unit = ShuffleBlock(16, 16, 1, kernel_size=3).eval()
    unit.to(memory_format=torch.channels_last)
    x = torch.randn(2, 16, 8, 8).contiguous(memory_format=torch.channels_last)
    path = str(tmp_path / 'unit.onnx')
    with torch.no_grad():
        expected = unit(x).numpy()
        torch.onnx.export(
            unit, (x, ),
            path,
            dynamo=False,
            input_names=['input'],
            opset_version=13)
    np.testing.assert_allclose(
        run_ort(path,
                x.contiguous().numpy()), expected, rtol=1e-5, atol=1e-5)
