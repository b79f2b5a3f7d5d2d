"""DSNAS: the one-hot mutable's gradient, phases, two optimizers, DDP,
hooks and a short real run on digits."""
import copy
import json
import os
import os.path as osp
import socket
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import OptimWrapper

from mmnas import register_all_modules
from mmnas.engine.hooks import (ArchDistributionHook, DumpSubnetHook,
                                plot_arch_history, read_arch_history)
from mmnas.models import SubnetModel
from mmnas.models.mutables import OneHotMutableOP
from mmnas.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmnas.structures import load_subnet
from mmnas.utils import UserError

register_all_modules()

CANDIDATES = dict(
    shuffle_3x3=dict(type='ShuffleBlock', kernel_size=3),
    shuffle_5x5=dict(type='ShuffleBlock', kernel_size=5),
    shuffle_7x7=dict(type='ShuffleBlock', kernel_size=7),
    shuffle_xception=dict(type='ShuffleXception'))


def tiny_supernet(mutable_type='OneHotMutableOP', alias=None):
    return dict(
        type='ImageClassifier',
        backbone=dict(
            type='SearchableShuffleNetV2',
            mutable_cfg=dict(
                type=mutable_type, candidates=CANDIDATES, alias=alias),
            arch_setting=[[16, 2], [32, 1]],
            stem_channels=8,
            last_channels=32,
            small_input=True,
            out_indices=(2, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=3,
            in_channels=32,
            loss=dict(type='CrossEntropyLoss')))


def tiny_dsnas(**kwargs):
    cfg = dict(
        type='DSNAS',
        architecture=tiny_supernet(),
        pretrain_epochs=1,
        finetune_epochs=2,
        estimator=dict(type='CostTable', input_shape=(1, 3, 16, 16)))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def optim_wrappers(model, weight_lr=0.1, arch_lr=0.1):
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='ArchParamOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                weights=dict(
                    optimizer=dict(type='SGD', lr=weight_lr, momentum=0.9)),
                arch=dict(
                    optimizer=dict(
                        type='Adam', lr=arch_lr, betas=(0.5, 0.999))))))
    return constructor(model)


def batch(n=4, seed=0):
    from mmcls.structures import ClsDataSample
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.rand(3, 16, 16, generator=g) * 255 for _ in range(n)]
    samples = [ClsDataSample().set_gt_label(i % 3) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def set_epoch(epoch):
    MessageHub.get_current_instance().update_info('epoch', epoch)


def arch_params(model):
    return {
        n: p.detach().clone()
        for n, p in model.named_parameters() if 'arch_param' in n
    }


def hand_mutable():
    """Three linear candidates on 2-d inputs, so every quantity of the
    estimator can be written down by hand."""
    torch.manual_seed(0)
    ops = {f'op{i}': nn.Linear(2, 2) for i in range(3)}
    mutable = OneHotMutableOP(candidates=ops)
    with torch.no_grad():
        mutable.arch_param.copy_(torch.tensor([0.3, -0.2, 0.5]))
    return mutable


@pytest.mark.parametrize('seed', [0, 1, 2, 3, 4, 5])
def test_arch_grad_is_credit_times_score(seed):
    mutable = hand_mutable().train()
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
    w = torch.tensor([[0.7, -1.1], [2.0, 0.4]])
    torch.manual_seed(seed)
    loss = (w * mutable(x)).sum()
    loss.backward()
    k = mutable.arch_choices.index(mutable.current_choice)
    op_out = mutable.candidates[mutable.current_choice](x).detach()
    credit = (w * op_out).sum()  # dL/dZ_k for L = <w, Z_k * O_k(x)>
    p = torch.softmax(torch.tensor([0.3, -0.2, 0.5]), -1)
    one_hot = torch.zeros(3)
    one_hot[k] = 1
    expected = credit * (one_hot - p)  # credit * d log p_k / d alpha
    assert torch.allclose(mutable.one_hot.grad[k], credit)
    assert torch.allclose(mutable.arch_param.grad, expected, atol=1e-6)
    # the sampled op's weights get the plain gradient (scale is 1.0)
    assert torch.allclose(
        mutable.candidates[mutable.current_choice].weight.grad,
        w.t() @ x)


def test_only_the_sampled_op_runs_and_gets_gradient():
    mutable = hand_mutable().train()
    calls = []
    for name, op in mutable.candidates.items():
        op.register_forward_hook(lambda m, i, o, name=name: calls.append(name))
    seen = set()
    for step in range(12):
        calls.clear()
        mutable.zero_grad(set_to_none=True)
        mutable(torch.ones(1, 2)).sum().backward()
        assert calls == [mutable.current_choice]
        for name, op in mutable.candidates.items():
            assert (op.weight.grad is not None) == (name == calls[0])
        seen.add(calls[0])
    assert len(seen) > 1  # it samples, it does not stick to one op


def test_eval_runs_current_choice_and_algorithm_evaluates_argmax():
    model = tiny_dsnas().eval()
    for i, mutable in enumerate(model.mutator.mutables):
        with torch.no_grad():
            mutable.arch_param.zero_()
            mutable.arch_param[i % 4] = 5.0
    data = model.data_preprocessor(batch(), False)
    model(data['inputs'], data['data_samples'], mode='predict')
    expected = {
        k: m[0].arch_choices[i % 4]
        for i, (k, m) in enumerate(model.mutator.search_groups.items())
    }
    assert dict(model.mutator.current_choices) == expected
    assert model.mutator.argmax_choices() == expected


def test_optim_wrapper_constructor_splits_weights_and_logits():
    model = tiny_dsnas()
    wrappers = optim_wrappers(model)
    arch = {id(p) for g in wrappers['arch'].param_groups for p in g['params']}
    weights = {
        id(p)
        for g in wrappers['weights'].param_groups for p in g['params']
    }
    named = dict(model.named_parameters())
    assert arch == {id(p) for n, p in named.items() if 'arch_param' in n}
    assert len(arch) == 3 and not arch & weights
    assert len(arch) + len(weights) == len(named)
    with pytest.raises(UserError, match="'weights'.*'arch'"):
        OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(
                type='ArchParamOptimWrapperConstructor',
                optim_wrapper_cfg=dict(optimizer=dict(type='SGD', lr=1))))
    with pytest.raises(UserError, match='formerly architecture / mutator'):
        OPTIM_WRAPPER_CONSTRUCTORS.build(
            dict(
                type='ArchParamOptimWrapperConstructor',
                optim_wrapper_cfg=dict(architecture={}, mutator={})))
    with pytest.raises(UserError, match='two optimizers'):
        set_epoch(0)
        model.train_step(
            batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))


def test_phases_pretrain_search_finetune_keep_weights():
    torch.manual_seed(0)
    model = tiny_dsnas().train()
    wrappers = optim_wrappers(model)
    alpha0 = arch_params(model)

    set_epoch(0)  # pretrain: weights move, logits do not
    w0 = model.architecture.head.fc.weight.detach().clone()
    model.train_step(batch(), wrappers)
    assert not torch.equal(w0, model.architecture.head.fc.weight)
    assert all(
        torch.equal(alpha0[n], p) for n, p in arch_params(model).items())

    set_epoch(1)  # search: logits move too
    for seed in range(3):
        log_vars = model.train_step(batch(seed=seed), wrappers)
    assert 'loss' in log_vars
    alpha1 = arch_params(model)
    assert all(not torch.equal(alpha0[n], alpha1[n]) for n in alpha0)
    argmax = model.mutator.argmax_choices()

    set_epoch(2)  # fine-tune: argmax frozen, same weights, one op a layer
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    calls = []
    for key, members in model.mutator.search_groups.items():
        for name, op in members[0].candidates.items():
            op.register_forward_hook(
                lambda m, i, o, key=key, name=name: calls.append((key, name)))
    model.train_step(batch(), wrappers)
    assert model.is_fixed
    assert dict(model.mutator.current_choices) == argmax
    assert sorted(calls) == sorted(argmax.items())
    after = dict(model.named_parameters())
    assert before.keys() == after.keys()  # nothing dropped: same checkpoint
    unchosen = [
        n for n in before
        if '_candidates' in n and not any(f'{k}._candidates.{c}.' in n
                                          for k, c in argmax.items())
    ]
    chosen = [n for n in before if '_candidates' in n and n not in unchosen]
    assert unchosen and chosen
    assert all(torch.equal(before[n], after[n]) for n in unchosen)
    assert any(not torch.equal(before[n], after[n]) for n in chosen)
    assert all(
        torch.equal(alpha1[n], p) for n, p in arch_params(model).items())
    # a fresh model with the fine-tuning weights (a resumed run) freezes
    # the same subnet again
    resumed = tiny_dsnas().train()
    resumed.load_state_dict(model.state_dict())
    resumed.train_step(batch(), optim_wrappers(resumed))
    assert dict(resumed.mutator.current_choices) == argmax


def test_flops_penalty_uses_the_estimator():
    torch.manual_seed(0)
    model = tiny_dsnas(flops_limit=0.0, flops_coef=0.5).train()
    set_epoch(1)
    data = model.data_preprocessor(batch(), True)
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    subnet = dict(model.mutator.current_choices)
    table = model.estimator
    expected = 0.
    for key, choice in subnet.items():
        mutable = model.mutator.search_groups[key][0]
        p = torch.softmax(mutable.arch_param.detach(), -1)
        expected += p[mutable.arch_choices.index(choice)] * \
            table.candidate_cost(key, choice)['flops'] / 1e6
    assert losses['flops_loss'].item() == pytest.approx(
        0.5 * expected.item(), rel=1e-5)
    assert table.cost(subnet)['flops'] > 0
    # within the limit: no penalty; in pre-training: none either
    model.flops_limit = 1e9
    assert 'flops_loss' not in model(
        data['inputs'], data['data_samples'], mode='loss')
    model.flops_limit = 0.0
    set_epoch(0)
    assert 'flops_loss' not in model(
        data['inputs'], data['data_samples'], mode='loss')


@pytest.mark.parametrize('config, wrapper', [
    ('configs/nas/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py',
     'mmnas.DSNASDDP'),
    ('configs/nas/dsnas/dsnas_shufflenet_supernet_8xb128_in1k.py',
     'mmnas.DSNASDDP'),
    ('configs/nas/densenas/densenas_mbv2_search_8xb44_in1k.py',
     'mmnas.DenseNASDDP'),
    ('configs/nas/densenas/densenas_resnet_search_8xb64_in1k.py',
     'mmnas.DenseNASDDP'),
])
def test_configs_name_a_wrapper_the_runner_finds(config, wrapper):
    from mmengine.registry import MODEL_WRAPPERS as RUNNER_WRAPPERS

    from mmnas.models.algorithms import DSNASDDP, DenseNASDDP
    from mmnas.utils.config import load_config
    cfg = load_config(config)
    assert cfg.model_wrapper_cfg.type == wrapper
    # Runner.wrap_model looks the type up in mmengine's root registry
    expected = dict(DSNASDDP=DSNASDDP, DenseNASDDP=DenseNASDDP)
    assert RUNNER_WRAPPERS.get(wrapper) is expected[wrapper.split('.')[1]]


def test_alias_shares_logits_and_draw():
    torch.manual_seed(0)
    model = tiny_dsnas(architecture=tiny_supernet(alias='all_blocks'))
    model.train()
    members = model.mutator.search_groups['all_blocks']
    assert len(members) == 3
    assert all(m.arch_param is members[0].arch_param for m in members)
    assert len(optim_wrappers(model)['arch'].param_groups[0]['params']) \
        == 1
    outputs = {}

    def keep_output(member, inputs, out):
        out.retain_grad()
        outputs[member] = out

    for m in members:
        m.register_forward_hook(keep_output)
    set_epoch(1)
    data = model.data_preprocessor(batch(), True)
    for _ in range(4):
        model.zero_grad()
        outputs.clear()
        losses = model(data['inputs'], data['data_samples'], mode='loss')
        sum(losses.values()).backward()
        assert len({m.current_choice for m in members}) == 1
        assert all(m.one_hot is None for m in members[1:])  # one draw
        k = members[0].arch_choices.index(members[0].current_choice)
        # each layer's credit <dL/dout, O(x)> (its scale is 1 in value),
        # summed over every member of the decision
        assert len(outputs) == len(members)
        credit = sum((out.grad * out).sum() for out in outputs.values())
        assert torch.allclose(members[0].one_hot.grad[k], credit, atol=1e-6)
        p = members[0].probs()
        assert torch.allclose(
            members[0].arch_param.grad,
            credit * (F.one_hot(torch.tensor(k), 4) - p),
            atol=1e-6)


def test_bad_settings_raise_user_errors():
    with pytest.raises(UserError, match='pretrain_epochs <= finetune'):
        tiny_dsnas(pretrain_epochs=5, finetune_epochs=3)
    with pytest.raises(UserError, match='OneHotMutableOP'):
        MODELS.build(
            dict(type='DSNAS', architecture=tiny_supernet('OneShotMutableOP')))
    with pytest.raises(UserError, match='early_fix_threshold'):
        tiny_dsnas(early_fix_threshold=1.5)


def test_early_fix_freezes_a_decided_layer_from_an_epoch_start():
    torch.manual_seed(0)
    model = tiny_dsnas(early_fix_threshold=0.3, finetune_epochs=3).train()
    wrappers = optim_wrappers(model)
    first, second, *rest = model.mutator.search_groups
    lead = {k: ms[0] for k, ms in model.mutator.search_groups.items()}
    with torch.no_grad():  # probabilities 0.16 0.16 0.53 0.16
        lead[first].arch_param.copy_(torch.tensor([0., 0., 1.2, 0.]))
    fixed_logits = lead[first].arch_param.detach().clone()
    ran = []
    for name, op in lead[first].candidates.items():
        op.register_forward_hook(lambda m, i, o, name=name: ran.append(name))
    alpha0 = arch_params(model)

    set_epoch(1)
    for seed in range(8):
        model.train_step(batch(seed=seed), wrappers)
    assert {k: i for k, (i, _) in model.early_fixed.items()} == {first: 2}
    assert set(ran) == {'shuffle_7x7'}
    assert torch.equal(lead[first].arch_param, fixed_logits)
    moved = arch_params(model)
    assert sum(not torch.equal(alpha0[n], moved[n]) for n in moved) == \
        len(moved) - 1
    # past the threshold within an epoch: fixed at the next one's start
    with torch.no_grad():
        lead[second].arch_param.copy_(torch.tensor([3., 0., 0., 0.]))
    model.train_step(batch(), wrappers)
    assert second not in model.early_fixed
    set_epoch(2)
    model.train_step(batch(), wrappers)
    assert {k: i
            for k, (i, _) in model.early_fixed.items()} == {
                first: 2,
                second: 0
            }
    assert all(k not in model.early_fixed for k in rest)
    # resumed from these weights: the same decisions are fixed again
    resumed = tiny_dsnas(early_fix_threshold=0.3, finetune_epochs=3).train()
    resumed.load_state_dict(model.state_dict())
    resumed.train_step(batch(), optim_wrappers(resumed))
    assert {k: i
            for k, (i, _) in resumed.early_fixed.items()} == {
                first: 2,
                second: 0
            }


def test_hooks_write_subnet_and_distribution_and_plot(tmp_path):
    model = tiny_dsnas()
    with torch.no_grad():
        for i, m in enumerate(model.mutator.mutables):
            m.arch_param[(i + 1) % 4] += 2.0
    runner = SimpleNamespace(
        model=model,
        work_dir=str(tmp_path),
        rank=0,
        epoch=0,
        logger=MMLogger.get_current_instance())
    dist_hook, dump_hook = ArchDistributionHook(), DumpSubnetHook(interval=2)
    dist_hook.before_train(runner)
    for epoch in range(3):
        runner.epoch = epoch
        with torch.no_grad():
            for m in model.mutator.mutables:
                m.arch_param[0] += 1.5
        dist_hook.after_train_epoch(runner)
        dump_hook.after_train_epoch(runner)
    dump_hook.after_train(runner)
    records = read_arch_history(str(tmp_path / 'arch_distribution.jsonl'))
    assert [r['epoch'] for r in records] == [0, 1, 2, 3]
    first = records[0]['layers']['backbone.layers.0.0']
    last = records[-1]['layers']['backbone.layers.0.0']
    assert first['argmax'] == 'shuffle_5x5' and \
        last['argmax'] == 'shuffle_3x3'
    assert last['entropy'] < first['entropy']
    assert sum(last['probs']) == pytest.approx(1, abs=1e-4)
    assert sorted(os.listdir(tmp_path)) == [
        'arch_distribution.jsonl', 'subnet_epoch_2.yaml', 'subnet_final.yaml'
    ]
    subnet = load_subnet(str(tmp_path / 'subnet_final.yaml'))
    assert subnet == model.mutator.argmax_choices()
    static = SubnetModel(tiny_supernet(), str(tmp_path / 'subnet_final.yaml'))
    assert not any('arch_param' in n for n, _ in static.named_parameters())
    png = plot_arch_history(
        str(tmp_path / 'arch_distribution.jsonl'), str(tmp_path / 'arch.png'))
    with open(png, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    (tmp_path / 'bad.jsonl').write_text('{"epoch": 1}\n')
    with pytest.raises(UserError, match='bad.jsonl:1'):
        read_arch_history(str(tmp_path / 'bad.jsonl'))


def _ddp_worker(rank, world_size, port, out_dir):
    import torch.distributed as tdist

    from mmnas.models.algorithms import DSNASDDP
    torch.set_num_threads(1)  # no OpenMP pool inherited across the fork
    tdist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=world_size)
    torch.manual_seed(0)  # same initial weights on both ranks
    model = tiny_dsnas().train()
    ddp = DSNASDDP(model)
    wrappers = optim_wrappers(model)
    torch.manual_seed(100 + rank)  # each rank samples its own path
    set_epoch(1)
    paths = []
    for step in range(3):
        ddp.train_step(batch(seed=10 * rank + step), wrappers)
        paths.append(dict(model.mutator.current_choices))
    set_epoch(2)
    ddp.train_step(batch(seed=rank), wrappers)
    ddp.train_step(batch(seed=rank + 5), wrappers)
    state = {n: p.detach() for n, p in model.named_parameters()}
    torch.save(
        dict(
            state=state,
            paths=paths,
            fixed=dict(model.mutator.current_choices),
            is_fixed=model.is_fixed), osp.join(out_dir, f'rank{rank}.pth'))
    tdist.destroy_process_group()


def test_two_process_cpu_ddp_step(tmp_path):
    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    # fork: the workers reuse this process' imports (spawn re-imports
    # torch and mmnas in each, ~10x slower on a shared CPU)
    mp.start_processes(
        _ddp_worker,
        args=(2, port, str(tmp_path)),
        nprocs=2,
        join=True,
        start_method='fork')
    r0, r1 = (torch.load(tmp_path / f'rank{r}.pth') for r in (0, 1))
    assert r0['is_fixed'] and r1['is_fixed']
    assert r0['fixed'] == r1['fixed']
    assert r0['paths'] != r1['paths']  # ranks sampled different paths
    assert r0['state'].keys() == r1['state'].keys()
    for name in r0['state']:  # yet weights and logits stayed in sync
        assert torch.allclose(
            r0['state'][name], r1['state'][name], atol=1e-6), name


def test_digits_search_then_finetune_short_run(digits_root, tmp_path):
    """Real runner, real data, 3 tiny epochs: pre-train, search, fine-tune
    (the phase comes from the MessageHub epoch), then the hooks' files."""
    from mmengine.runner import Runner

    from mmnas.utils.config import load_config
    cfg = load_config(
        'configs/nas/dsnas/dsnas_shufflenet_supernet_1xb64_digits.py')
    cfg.work_dir = str(tmp_path)
    cfg.model.pretrain_epochs = 1
    cfg.model.finetune_epochs = 2
    cfg.model.warm_start = dict(epochs=1)
    cfg.model.architecture.backbone.arch_setting = [[64, 1], [160, 1]]
    cfg.model.architecture.backbone.widen_factor = 0.25
    cfg.model.architecture.backbone.out_indices = (2, )
    cfg.train_cfg.max_epochs = 3
    cfg.train_cfg.val_interval = 3
    for loader, n in ((cfg.train_dataloader, 32), (cfg.val_dataloader, 32)):
        loader.dataset.data_root = digits_root
        loader.dataset.indices = n
        loader.num_workers = 0
        loader.persistent_workers = False
    cfg.train_dataloader.batch_size = 32
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = 'WARNING'
    cfg.custom_hooks[0].interval = 1
    runner = Runner.from_cfg(copy.deepcopy(cfg))
    runner.train()
    model = runner.model
    assert model.is_fixed
    files = set(os.listdir(tmp_path))
    assert {
        'subnet_epoch_1.yaml', 'subnet_epoch_2.yaml', 'subnet_final.yaml',
        'arch_distribution.jsonl', 'epoch_3.pth'
    } <= files
    records = read_arch_history(str(tmp_path / 'arch_distribution.jsonl'))
    probs = [json.dumps(r['layers']) for r in records]
    assert probs[0] == probs[1]  # pre-training leaves the logits alone
    assert probs[1] != probs[2]  # the search moves them
    assert probs[2] == probs[3]  # fine-tuning does not
    final = load_subnet(str(tmp_path / 'subnet_final.yaml'))
    assert final == load_subnet(str(tmp_path / 'subnet_epoch_2.yaml'))
    assert final == dict(model.mutator.current_choices)
