"""Training-speed switches: channels_last must change the layout, never
the result, in every space's training step."""
import copy
import os.path as osp
import random
from types import SimpleNamespace

import numpy
import pytest
import torch
import torch.nn as nn
from conftest import ROOT
from mmcls.models.utils.data_preprocessor import ClsDataPreprocessor
from mmcls.structures import ClsDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmnas import register_all_modules
from mmnas.engine.hooks import ChannelsLastHook
from mmnas.models import NasMutator
from mmnas.models.ops import ShuffleBlock, ShuffleXception
from mmnas.models.ops.shufflenet_series import (concat_shuffle,
                                                nchw_channel_shuffle)
from mmnas.registry import MODELS
from mmnas.structures import dump_subnet

CL = torch.channels_last


@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
@pytest.mark.parametrize('shape', [(2, 8, 5, 3), (1, 4, 1, 1)])
def test_concat_shuffle_keeps_layout_values_and_grads(shape, dtype):
    """The channels_last concat + shuffle equals mmcls's cat and
    channel_shuffle bit for bit, forward and backward, also when its first
    input is the strided half of a channels_last map (a unit's
    pass-through)."""
    n, c, h, w = shape
    for layout in (torch.contiguous_format, CL):
        x = torch.randn(n, 2 * c, h, w, dtype=dtype).to(memory_format=layout)
        b = torch.randn(shape, dtype=dtype).to(memory_format=layout)
        x.requires_grad_(), b.requires_grad_()
        a = x.chunk(2, dim=1)[0]
        expected = nchw_channel_shuffle(torch.cat((a, b), dim=1), 2)
        out = concat_shuffle(a, b)
        assert torch.equal(out, expected)
        dense_cl = layout is CL and h * w > 1
        assert out.is_contiguous(
            memory_format=CL if dense_cl else torch.contiguous_format)
        grad = torch.randn_like(expected)
        got = torch.autograd.grad(out, (x, b), grad)
        for g, e in zip(got, torch.autograd.grad(expected, (x, b), grad)):
            assert torch.equal(g, e)
        if dense_cl:
            assert got[1].is_contiguous(memory_format=CL)


@pytest.mark.parametrize('op,kwargs', [(ShuffleBlock, dict(kernel_size=5)),
                                       (ShuffleXception, {})])
@pytest.mark.parametrize('stride', [1, 2])
def test_shuffle_units_same_output_and_grads_in_channels_last(
        op, kwargs, stride):
    torch.manual_seed(0)
    ref = op(16, 16, stride, **kwargs).train()
    nhwc = op(16, 16, stride, **kwargs).train()
    nhwc.load_state_dict(ref.state_dict())
    nhwc.to(memory_format=CL)
    x = torch.randn(2, 16, 8, 8)
    y_ref = ref(x)
    y = nhwc(x.contiguous(memory_format=CL))
    assert y.is_contiguous(memory_format=CL)
    torch.testing.assert_close(y, y_ref, rtol=1e-4, atol=1e-5)
    y_ref.square().sum().backward()
    y.square().sum().backward()
    for (name, p_ref), p in zip(ref.named_parameters(), nhwc.parameters()):
        torch.testing.assert_close(
            p.grad, p_ref.grad, rtol=1e-3, atol=1e-4, msg=name)


def test_channels_last_hook_converts_in_place_for_the_optimizer():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    params = list(model.parameters())
    optim = torch.optim.SGD(model.parameters(), lr=0.1)
    ChannelsLastHook().before_train(SimpleNamespace(model=model))
    weight = model[0].weight
    assert weight.is_contiguous(memory_format=CL)
    assert not weight.is_contiguous()
    assert all(a is b for a, b in zip(params, model.parameters()))
    assert optim.param_groups[0]['params'][0] is weight


@pytest.mark.parametrize('stage',
                         ['before_train', 'before_val', 'before_test'])
def test_channels_last_hook_acts_on_cpu_only(stage):
    on_meta = nn.Conv2d(3, 4, 3, device='meta')
    getattr(ChannelsLastHook(), stage)(SimpleNamespace(model=on_meta))
    assert on_meta.weight.is_contiguous()
    getattr(ChannelsLastHook(devices=('meta', )), stage)(
        SimpleNamespace(model=on_meta))
    assert on_meta.weight.is_contiguous(memory_format=CL)
    on_cpu = nn.Conv2d(3, 4, 3)
    getattr(ChannelsLastHook(), stage)(SimpleNamespace(model=on_cpu))
    assert on_cpu.weight.is_contiguous(memory_format=CL)


def test_channels_last_is_the_default_and_can_be_turned_off():
    cfg = Config.fromfile(
        osp.join(
            ROOT, 'configs/nas/spos/spos_shufflenet_supernet_1xb64_'
            'digits.py'))
    assert cfg.default_hooks.memory_format == dict(type='ChannelsLastHook')
    cfg.merge_from_dict({'default_hooks.memory_format': None})
    assert cfg.default_hooks.memory_format is None


# the digits supernet and retrain configs of every space
TRAINED = [
    'spos/spos_shufflenet_supernet_1xb64_digits.py',
    'spos/spos_shufflenet_subnet_1xb64_digits.py',
    'spos/spos_mobilenet_supernet_1xb64_digits.py',
    'spos/spos_mobilenet_subnet_1xb64_digits.py',
    'spos/spos_shufflenet_channel_supernet_1xb64_digits.py',
    'spos/spos_shufflenet_channel_subnet_1xb64_digits.py',
    'spos/spos_shufflenet_channelonly_supernet_1xb64_digits.py',
    'dsnas/dsnas_shufflenet_supernet_1xb64_digits.py',
    'dsnas/dsnas_shufflenet_subnet_1xb64_digits.py',
    'densenas/densenas_mbv2_search_1xb32_digits.py',
    'densenas/densenas_resnet_search_1xb32_digits.py',
    'densenas/densenas_retrain_1xb64_digits.py',
    'ponas/ponas_supernet_1xb64_digits.py',
    'ponas/ponas_subnet_1xb64_digits.py',
]


def with_step_outputs(cfg, tmp_path):
    """``cfg`` with each file its ``written_by`` names made here: a sampled
    subnet of its space, a checkpoint of its supernet, a DenseNAS
    net_config derived from a fresh search."""
    for key in cfg.get('written_by', {}):
        if key == 'model.subnet':
            mutator = NasMutator()
            mutator.prepare_from_supernet(MODELS.build(cfg.model.architecture))
            cfg.model.subnet = dump_subnet(mutator.sample_choices(),
                                           str(tmp_path / 'subnet.yaml'))
        elif key == 'model.supernet_checkpoint':
            path = str(tmp_path / 'supernet.pth')
            supernet = MODELS.build(cfg.model.architecture)
            torch.save({'state_dict': supernet.state_dict()}, path)
            cfg.model.supernet_checkpoint = path
        elif key == 'model.backbone.net_config':
            search = Config.fromfile(
                osp.join(
                    ROOT, 'configs/nas/densenas/'
                    'densenas_mbv2_search_1xb32_digits.py'))
            path = tmp_path / 'net_config.txt'
            path.write_text(MODELS.build(search.model).derive()[1] + '\n')
            cfg.model.backbone.net_config = str(path)
        else:
            raise AssertionError(f'no test output for {key}')
    return cfg


def in_float64(model: nn.Module) -> nn.Module:
    """``model`` in float64, its data preprocessors' outputs too (mmcls's
    casts to float32): float32 rounding, which the two layouts do in
    different orders, grows to percents in the first layers' gradients of
    a randomly initialised net; in float64 the layouts agree to 1e-12."""
    model.double()
    for module in model.modules():
        if isinstance(module, ClsDataPreprocessor):

            def forward(data, training=False, cast=module.forward):
                out = cast(data, training)
                return dict(out, inputs=out['inputs'].double())

            module.forward = forward
    return model


@pytest.mark.parametrize('config', TRAINED)
def test_one_training_step_is_the_same_in_channels_last(config, tmp_path):
    """The config's training step (its model, optim wrapper and train_step,
    fixed seeds) gives the same losses and the same parameter updates
    (gradients) with ``ChannelsLastHook`` as without."""
    register_all_modules()
    cfg = with_step_outputs(
        Config.fromfile(osp.join(ROOT, 'configs/nas', config)), tmp_path)
    torch.manual_seed(0)
    ref = MODELS.build(cfg.model)
    ref.init_weights()
    nhwc = copy.deepcopy(ref)
    assert ChannelsLastHook().convert(nhwc)
    assert any(not p.is_contiguous() for p in nhwc.parameters())
    before = {
        k: v.double() if v.is_floating_point() else v.clone()
        for k, v in ref.state_dict().items()
    }
    gen = torch.Generator().manual_seed(0)
    batch = dict(
        inputs=torch.randint(0, 256, (8, 3, 32, 32), generator=gen).byte(),
        data_samples=[ClsDataSample().set_gt_label(i % 10) for i in range(8)])

    def step(model):
        in_float64(model)
        random.seed(0)
        numpy.random.seed(0)
        torch.manual_seed(0)
        optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
        logs = model.train_step(copy.deepcopy(batch), optim)
        return logs, model.state_dict()

    logs_ref, after_ref = step(ref)
    logs, after = step(nhwc)
    assert logs.keys() == logs_ref.keys()
    for key in logs:
        torch.testing.assert_close(logs[key], logs_ref[key], msg=key)
    moved = 0
    for key, old in before.items():
        if not old.is_floating_point():
            assert torch.equal(after[key], after_ref[key]), key
            continue
        delta_ref = after_ref[key] - old
        moved += bool(delta_ref.abs().max() > 0)
        torch.testing.assert_close(
            after[key] - old, delta_ref, rtol=1e-7, atol=1e-10, msg=key)
    assert moved
