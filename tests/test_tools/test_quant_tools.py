"""The SPOS quantization space through the tools: BitOps in get_flops.py
and show_subnet.py, subnet files naming bit widths, the bad-input errors,
and the integer export with its check."""
import os.path as osp

import torch
from conftest import ROOT

from mmnas.structures import dump_subnet, load_subnet

SUPERNET = \
    'configs/nas/spos_quant/spos_quant_resnet18_supernet_1xb64_digits.py'
SEARCH = 'configs/nas/spos_quant/spos_quant_resnet18_search_1xb64_digits.py'
SUBNET_CFG = \
    'configs/nas/spos_quant/spos_quant_resnet18_subnet_1xb64_digits.py'
W3A3 = osp.join(ROOT, 'configs/nas/spos_quant/RESNET18_W3A3.yaml')
# the digits space's uniform 3W3A subnet at 32x32: 38 searched decisions
# and the 8-bit stem and fc (the search config's budget comes from this)
W3A3_BITOPS = 339820544


def one_error(code, out, *expected):
    assert code == 2, out[-2000:]
    assert 'Traceback' not in out and out.count('error: ') == 1, out[-2000:]
    message = out[out.index('error: '):]
    for text in expected:
        assert text in message, message


def uniform(bits, tmp_path):
    subnet = {k: bits for k in load_subnet(W3A3)}
    return dump_subnet(subnet, str(tmp_path / f'w{bits}a{bits}.yaml'))


def test_bitops_in_get_flops_and_show_subnet(run_in_process, tmp_path):
    code, out = run_in_process('analysis/get_flops.py', [
        SUPERNET, '--subnet', W3A3, '--shape', '32', '32', '--convention',
        'bitops'
    ])
    assert code == 0, out
    assert f'BitOps: {W3A3_BITOPS:,}' in out
    code, out = run_in_process('analysis/show_subnet.py', [
        W3A3, '--config', SUPERNET, '--shape', '32', '32', '--convention',
        'bitops'
    ])
    assert code == 0, out
    total = out.strip().splitlines()[-1]
    assert total.startswith('total at 32x32') and total.endswith(
        f'{W3A3_BITOPS / 1e9:.4f}')
    rows = [line for line in out.splitlines() if '.layers.' in line]
    assert len(rows) == 19 and all(' 3   3 ' in r for r in rows)
    # a subnet file round trip keeps the bit widths
    path = uniform(2, tmp_path)
    assert set(load_subnet(path).values()) == {2}


def test_subnet_without_bit_widths(run_in_process, tmp_path):
    subnet = {k: v for k, v in load_subnet(W3A3).items() if 'a_quant' in k}
    path = dump_subnet(subnet, str(tmp_path / 'weights_only.yaml'))
    one_error(
        *run_in_process('analysis/get_flops.py',
                        [SUPERNET, '--subnet', path, '--shape', '32', '32']),
        'no bit widths for the 19 bit-width decisions',
        'backbone.layers.0.0.residual.0.conv.w_quant: {chosen: 4}')


def test_bit_width_outside_the_space(run_in_process, tmp_path):
    subnet = load_subnet(W3A3)
    subnet['backbone.layers.1.0.residual.0.conv.w_quant'] = 5
    path = dump_subnet(subnet, str(tmp_path / 'five.yaml'))
    one_error(
        *run_in_process('analysis/get_flops.py',
                        [SUPERNET, '--subnet', path, '--shape', '32', '32']),
        'unknown choice 5 (valid: [2, 3, 4])')


def test_bitops_budget_no_subnet_meets(run_in_process, tmp_path, digits_root):
    one_error(
        *run_in_process('train.py', [
            SEARCH, '--work-dir',
            str(tmp_path / 'w'), '--cfg-options',
            'train_cfg.constraints_range.bitops=[0,0.01]'
        ]), 'no subnet satisfies', 'bitops 0.167..0.582')


def test_export_integer_weights_and_check(run_in_process, tmp_path,
                                          digits_root):
    from mmnas import register_all_modules
    from mmnas.models.subnet import build_network
    from mmnas.utils.config import load_config, options
    register_all_modules()
    subnet = load_subnet(W3A3)
    subnet['backbone.layers.2.1.residual.1.conv.w_quant'] = 1
    subnet['backbone.layers.3.0.residual.0.conv.a_quant'] = 2
    subnet_file = dump_subnet(subnet, str(tmp_path / 'mixed.yaml'))
    # the digits space has no 1-bit widths; the export has a 1-bit path
    overrides = {
        'model.subnet': subnet_file,
        'model.architecture.backbone.w_bits': (1, 2, 3, 4),
        'model.architecture.backbone.a_bits': (1, 2, 3, 4),
    }
    cfg = load_config(osp.join(ROOT, SUBNET_CFG), overrides)
    torch.manual_seed(0)  # the same network whatever ran before
    net = build_network(cfg.model)
    for m in net.modules():  # BN statistics a trained net would have
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    ckpt = str(tmp_path / 'subnet.pth')
    torch.save(dict(state_dict=net.state_dict()), ckpt)
    out_file = str(tmp_path / 'int.pth')
    code, out = run_in_process('deployment/export_quantized.py', [
        SUBNET_CFG, ckpt, '--output-file', out_file, '--check-batches', '2',
        *options(overrides)
    ])
    assert code == 0, out
    assert 'integer vs fake-quantized layers on 256 test images: largest ' \
        'relative difference' in out
    assert 'whole models: 256 top-1 predictions agree' in out
    exported = torch.load(out_file, weights_only=False)
    layers = exported['layers']
    assert layers['backbone.layers.2.1.residual.1.conv']['w_bits'] == 1
    assert layers['backbone.layers.3.0.residual.0.conv']['a_bits'] == 2
    assert layers['backbone.stem.conv']['w_bits'] == 8
    assert layers['head.fc']['a_bits'] == 8
    for record in layers.values():
        assert record['code'].dtype == torch.uint8
        assert int(record['code'].max()) < 2**record['w_bits']


def test_export_refuses_a_supernet(run_in_process, tmp_path):
    one_error(
        *run_in_process(
            'deployment/export_quantized.py',
            [SUPERNET, 'none.pth', '--output-file',
             str(tmp_path / 'x.pth')]), 'this config builds a supernet')


def test_mixed_precision_subnet_file_round_trip(tmp_path):
    import random

    from mmnas import register_all_modules
    from mmnas.models import SubnetModel
    from mmnas.registry import MODELS
    from mmnas.utils.config import load_config
    register_all_modules()
    cfg = load_config(osp.join(ROOT, SUPERNET))
    supernet = MODELS.build(cfg.model)
    choices = supernet.mutator.sample_choices(random.Random(7))
    path = dump_subnet(choices, str(tmp_path / 'mixed.yaml'))
    with open(path) as f:
        assert 'residual.0.conv.w_quant:\n  chosen: ' in f.read()
    loaded = load_subnet(path)
    assert loaded == dict(choices)
    static = SubnetModel(cfg.model.architecture, path)
    for key, bits in loaded.items():
        layer, _, kind = key.rpartition('.')
        conv = static.get_submodule(layer)
        assert (conv.w_bits if kind == 'w_quant' else conv.a_bits) == bits


def test_layer_check_finds_a_wrong_weight_code(tmp_path):
    """The per-layer check passes an exact export and names the layer
    whose integer weights do not match its fake-quantized ones."""
    from mmnas import register_all_modules
    from mmnas.models.quant_export import (export_quantized, integer_model,
                                           layer_errors)
    from mmnas.models.subnet import build_network
    from mmnas.utils.config import load_config
    register_all_modules()
    cfg = load_config(osp.join(ROOT, SUBNET_CFG), {'model.subnet': W3A3})
    torch.manual_seed(0)
    net = build_network(cfg.model).eval()
    exported = export_quantized(net)
    inputs = torch.randn(4, 3, 32, 32)
    errors, _ = layer_errors(net, integer_model(net, exported), inputs)
    assert set(errors) == set(exported['layers'])
    assert max(errors.values()) < 1e-4
    name = 'backbone.layers.1.0.residual.0.conv'
    code = exported['layers'][name]['code']
    code.view(-1)[:code.numel() // 2] = 0
    errors, _ = layer_errors(net, integer_model(net, exported), inputs)
    assert errors[name] > 1e-2
    assert max(e for n, e in errors.items() if n != name) < 1e-4
