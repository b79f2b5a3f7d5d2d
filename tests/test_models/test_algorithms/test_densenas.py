"""DenseNAS: static nets from net_config strings, the dense supernet, the
chained cost, the path derivation and a short search on digits."""
import itertools
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from conftest import ROOT

from mmnas import register_all_modules
from mmnas.utils import UserError

register_all_modules()

from mmnas.estimators import count_static  # noqa: E402
from mmnas.models.architectures.densenas_net import (  # noqa: E402
    NetConfigError, parse_net_config)
from mmnas.registry import DATASETS, MODELS  # noqa: E402
from mmnas.utils.config import load_config  # noqa: E402

CFG = osp.join(ROOT, 'configs', 'nas', 'densenas')
MB = ['mbconv_k3_t3', 'mbconv_k5_t6']
# tiny spaces (same layout rules as the published ones) for fast tests
TINY = dict(
    mbv2=dict(
        init_dim=8,
        first_op='mbconv_k3_t1',
        last_dim=64,
        connect=3,
        head_ops=MB,
        stack_ops=MB + ['skip_connect'],
        act_cfg=dict(type='ReLU6'),
        blocks=[[8, 1, 0], [12, 2, 2], [16, 2, 1], [24, 4, 1], [32, 4, 1],
                [40, 8, 0]]),
    resnet=dict(
        init_dim=8,
        first_op='basic_block',
        last_dim=None,
        connect=3,
        head_ops=['basic_block'],
        stack_ops=['basic_block', 'skip_connect'],
        act_cfg=dict(type='ReLU'),
        blocks=[[8, 1, 0], [12, 2, 2], [16, 2, 1], [24, 4, 1], [32, 8, 0]]))
PUBLISHED = dict(a=(251, 4.77), b=(314, 5.58), c=(361, 6.13))
# the reference's independent count of the same net_configs (MFLOPs, 0.1M)
INDEPENDENT = dict(a=258.8, b=323.3, c=371.3)


@pytest.fixture(autouse=True)
def cost_cache(tmp_path, monkeypatch):
    monkeypatch.setenv('MMNAS_CACHE_DIR', str(tmp_path / 'cache'))


def classifier(backbone, in_channels, num_classes=10):
    return dict(
        type='ImageClassifier',
        backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=num_classes,
            in_channels=in_channels,
            loss=dict(type='CrossEntropyLoss')))


def tiny_algorithm(space, temperature=1., **cost):
    sp = TINY[space]
    last = sp['last_dim'] or sp['blocks'][-1][0]
    return MODELS.build(
        dict(
            type='DenseNAS',
            architecture=classifier(
                dict(
                    type='DenseNASSupernet',
                    space=sp,
                    small_input=True,
                    temperature=temperature), last),
            cost=dict(
                dict(metric='flops', weight=0.15, target=10., unit=1e6),
                **cost),
            estimator=dict(type='CostTable', input_shape=(1, 3, 32, 32))))


def randomize_logits(algo, seed):
    gen = torch.Generator().manual_seed(seed)
    for m in algo.mutator.mutables:
        with torch.no_grad():
            m.arch_param.copy_(
                torch.randn(m.arch_param.shape, generator=gen) * 2)


@pytest.mark.parametrize('name', ['a', 'b', 'c'])
def test_published_net_configs(name):
    """DenseNAS-A/B/C rebuild at their published FLOPs and the reference
    params, and run."""
    cfg = load_config(osp.join(CFG, f'densenas_{name}_8xb128_in1k.py'))
    model = MODELS.build(cfg.model)
    cost = count_static(model, (1, 3, 224, 224))
    flops, params = PUBLISHED[name]
    assert round(cost['flops'] / 1e6) == flops
    assert round(cost['params'] / 1e6, 2) == params
    # the ~3% gap is BatchNorm + global pooling, which fvcore's defaults add
    full = count_static(model, (1, 3, 224, 224), convention='fvcore')
    assert round(full['flops'] / 1e6, 1) == INDEPENDENT[name]
    assert full['params'] == cost['params']
    model.eval()
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 64, 64)).shape == (1, 1000)


def test_net_config_errors(tmp_path):
    good = "[[16, 16], 'mbconv_k3_t1', [], 0, 1]|[[16, 24], 'basic_block', " \
        "['skip_connect'], 1, 2]"
    assert len(parse_net_config(good)) == 2
    path = tmp_path / 'net_config.txt'
    path.write_text(good)
    assert parse_net_config(str(path)) == parse_net_config(good)
    with pytest.raises(NetConfigError, match='mbconv_k3_t6'):
        MODELS.build(
            dict(
                type='DenseNASNet',
                net_config=good.replace("'mbconv_k3_t1'", "'mbconv_k3_t66'")))
    with pytest.raises(NetConfigError, match='chain'):
        parse_net_config(good.replace('[[16, 24]', '[[20, 24]'))
    with pytest.raises(NetConfigError, match='malformed'):
        parse_net_config(good.replace("['skip_connect'], 1", '[], 1'))
    assert issubclass(NetConfigError, UserError)


@pytest.mark.parametrize('space', ['mbv2', 'resnet'])
def test_chained_cost_one_hot_is_exact(space):
    """With alpha/beta one-hot at the derived path, the chained estimate is
    the exact count of the derived static network."""
    algo = tiny_algorithm(space)
    sp = TINY[space]
    last = sp['last_dim'] or sp['blocks'][-1][0]
    derived = []
    for seed in range(2):
        randomize_logits(algo, seed)
        choices, net_config = algo.derive()
        static = MODELS.build(
            classifier(
                dict(
                    type='DenseNASNet',
                    net_config=net_config,
                    small_input=True,
                    act_cfg=sp['act_cfg']), last))
        derived.append((choices, count_static(static, (1, 3, 32, 32))))
    for metric in ('flops', 'params'):
        algo.cost_cfg['metric'] = metric
        algo._table = None
        for choices, exact in derived:
            assert float(algo.cost_of(choices)) == exact[metric]
    # the soft estimate is differentiable in every logit
    algo.cost_cfg['metric'] = 'flops'
    algo._table = None
    algo.expected_cost().backward()
    assert all(m.arch_param.grad is not None for m in algo.mutator.mutables)


def test_temperature_tempers_every_probability():
    """softmax(logits / T) in the op probabilities and sampling, the path
    weights and the chained cost; T <= 0 is refused."""
    torch.manual_seed(0)
    hot, cold = tiny_algorithm('resnet'), tiny_algorithm('resnet', 0.9)
    cold.load_state_dict(hot.state_dict())
    randomize_logits(hot, 0)
    randomize_logits(cold, 0)
    for m in cold.mutator.mutables:
        x = m.arch_param.detach()
        assert torch.allclose(m.arch_probs(), F.softmax(x / 0.9, -1))
        if x.numel() > 1:
            assert not torch.allclose(m.arch_probs(), F.softmax(x, -1))
    for m in cold.supernet.paths.values():
        assert torch.allclose(m.weights(), m.arch_probs())
    for m in cold.supernet.op_mutables().values():
        assert torch.equal(m.probs(), m.arch_probs().detach())

    def explicit(algo, t):
        return {
            key: F.softmax(members[0].arch_param.detach() / t, -1)
            for key, members in algo.mutator.search_groups.items()
        }

    assert float(cold.expected_cost()) == pytest.approx(
        float(cold.expected_cost(explicit(cold, 0.9))), rel=1e-6)
    assert float(cold.expected_cost()) != pytest.approx(
        float(hot.expected_cost()), rel=1e-4)
    assert float(hot.expected_cost()) == pytest.approx(
        float(hot.expected_cost(explicit(hot, 1.))), rel=1e-6)

    op = cold.supernet.stacks[1][0]
    op.temperature = 0.5
    with torch.no_grad():
        op.arch_param.copy_(torch.tensor([0., 1.]))
    draws = [op.sample_one_hot(arch_grad=False)[0] for _ in range(2000)]
    assert sum(draws) / 2000 == pytest.approx(
        float(F.softmax(torch.tensor([0., 2.]), -1)[1]), abs=0.03)
    with pytest.raises(UserError, match='temperature'):
        tiny_algorithm('resnet', 0.)


@pytest.mark.parametrize('space', ['mbv2', 'resnet'])
def test_tempered_chained_cost_of_one_hot_logits_is_exact(space):
    """Logits so large that softmax(logits / 0.9) is one-hot give the exact
    count of the derived network, as one-hot probabilities do."""
    sp = TINY[space]
    last = sp['last_dim'] or sp['blocks'][-1][0]
    algo = tiny_algorithm(space, 0.9)
    randomize_logits(algo, 1)
    choices, net_config = algo.derive()
    with torch.no_grad():
        for key, members in algo.mutator.search_groups.items():
            m = members[0]
            options = getattr(m, 'arch_choices', m.choices)
            m.arch_param.zero_()
            m.arch_param[options.index(choices[key])] = 1e4
    assert algo.derive() == (choices, net_config)
    static = MODELS.build(
        classifier(
            dict(
                type='DenseNASNet',
                net_config=net_config,
                small_input=True,
                act_cfg=sp['act_cfg']), last))
    exact = count_static(static, (1, 3, 32, 32))
    for metric in ('flops', 'params'):
        algo.cost_cfg['metric'] = metric
        algo._table = None
        assert float(algo.expected_cost(skip_reg=0.)) == exact[metric]
        assert float(algo.cost_of(choices)) == exact[metric]


@pytest.mark.parametrize('temperature', [1., 0.5])
def test_viterbi_path_is_the_most_probable(temperature):
    algo = tiny_algorithm('mbv2', temperature)
    net = algo.supernet
    randomize_logits(algo, 3)
    w = {
        i: net.paths[str(i)].weights().detach()
        for i in range(net.num_blocks - 1)
    }

    def paths(i):
        if i == net.num_blocks - 1:
            yield [i]
        for j in net.succ[i] if i < net.num_blocks - 1 else []:
            for rest in paths(j):
                yield [i] + rest

    def prob(path):
        return math.prod(
            float(w[i][net.succ[i].index(j)])
            for i, j in zip(path[:-1], path[1:]))

    best = max(paths(0), key=prob)
    assert net.best_path() == best
    choices, net_config = algo.derive()
    assert net.path_of(
        {k.split('backbone.')[1]: v
         for k, v in choices.items()}) == best
    rows = parse_net_config(net_config)
    widths = [net.widths[b] for b in best]
    assert [r[0][1] for r in rows[:-1]] == widths
    assert rows[-1][1] == 'conv1_1'


def test_split_dataset(digits_root):
    ds = dict(
        type='CustomDataset',
        data_root=digits_root,
        data_prefix='train',
        pipeline=[])
    parts = [
        DATASETS.build(
            dict(type='SplitDataset', dataset=ds, ratio=0.8, part=p, seed=1))
        for p in (0, 1)
    ]
    a, b = (set(p.indices.tolist()) for p in parts)
    assert not a & b and len(a | b) == len(parts[0].dataset)
    assert len(a) == round(0.8 * len(parts[0].dataset))
    with pytest.raises(UserError):
        DATASETS.build(dict(type='SplitDataset', dataset=ds, ratio=1.0))


def test_bad_cost_settings():
    with pytest.raises(UserError, match='metric'):
        tiny_algorithm('mbv2', metric='macs')
    with pytest.raises(UserError, match='LatencyTable'):
        tiny_algorithm('mbv2', metric='latency')
    with pytest.raises(UserError, match='estimator settings'):
        tiny_algorithm('mbv2', latency_table='lut.json')


def _digits_batches(root, n, batch_size=16):
    from mmengine.runner import Runner
    cfg = load_config(
        osp.join(ROOT, 'configs/_base_/datasets/'
                 'digits_bs64.py'))
    loader = dict(
        cfg.train_dataloader,
        batch_size=batch_size,
        num_workers=0,
        persistent_workers=False)
    loader['dataset'] = dict(loader['dataset'], data_root=root)
    loader = Runner.build_dataloader(loader, seed=0)
    return list(itertools.islice(iter(loader), n))


def test_short_search_moves_logits_and_honours_cost(digits_root):
    """Alternating steps on digits move alpha and beta; a strong cost term
    lowers the expected cost more than no cost term does."""
    from mmengine.optim import build_optim_wrapper
    batches = _digits_batches(digits_root, 4, batch_size=8)
    ends = {}
    for weight in (0., 3.):
        torch.manual_seed(0)
        algo = tiny_algorithm('mbv2', weight=weight)
        algo.data_preprocessor = MODELS.build(
            dict(
                type='ClsDataPreprocessor',
                num_classes=10,
                mean=[31.] * 3,
                std=[60.] * 3))
        optim = build_optim_wrapper(
            algo,
            dict(
                constructor='ArchParamOptimWrapperConstructor',
                weights=dict(
                    optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
                arch=dict(
                    optimizer=dict(type='Adam', lr=0.05, betas=(0.5, 0.999)))))
        before = [m.arch_param.detach().clone() for m in algo.mutator.mutables]
        start = float(algo.expected_cost())
        algo.train()
        for i in range(0, len(batches), 2):
            logs = algo.train_step(
                dict(weight=batches[i], arch=batches[i + 1]), optim)
        assert 'arch_loss' in logs and 'cost_flops' in logs
        # (a decision with one option has nothing to learn)
        moved = [
            not torch.equal(b, m.arch_param.detach())
            for b, m in zip(before, algo.mutator.mutables) if b.numel() > 1
        ]
        assert moved and all(moved)
        ends[weight] = float(algo.expected_cost()) / start
    assert ends[3.] < ends[0.] and ends[3.] < 0.95
