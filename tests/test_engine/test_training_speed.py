"""Training-speed switches: channels_last must change the layout, never
the result."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn

from mmnas.engine.hooks import ChannelsLastHook
from mmnas.models.ops import ShuffleBlock, ShuffleXception
from mmnas.models.ops.shufflenet_series import (channel_shuffle,
                                                nchw_channel_shuffle)

CL = torch.channels_last


@pytest.mark.parametrize('shape', [(2, 8, 5, 3), (1, 4, 1, 1)])
def test_channel_shuffle_keeps_layout_and_values(shape):
    x = torch.randn(*shape)
    expected = nchw_channel_shuffle(x, 2)
    assert torch.equal(channel_shuffle(x, 2), expected)
    out = channel_shuffle(x.contiguous(memory_format=CL), 2)
    assert torch.equal(out, expected)
    assert out.is_contiguous(memory_format=CL)


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
    ChannelsLastHook().before_run(SimpleNamespace(model=model))
    weight = model[0].weight
    assert weight.is_contiguous(memory_format=CL)
    assert not weight.is_contiguous()
    assert all(a is b for a, b in zip(params, model.parameters()))
    assert optim.param_groups[0]['params'][0] is weight
