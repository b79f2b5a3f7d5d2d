"""OneShotMutableOP: choices, sampling, fixing, aliases."""
import pytest
import torch
import torch.nn as nn

from mmnas import register_all_modules
from mmnas.models import NasMutator, OneShotMutableOP, SearchSpaceError

register_all_modules()


def op(names=('a', 'b', 'c'), alias=None):
    return OneShotMutableOP({n: nn.Conv2d(2, 2, 1)
                             for n in names},
                            alias=alias)


def test_one_shot_op_choices_sampling_and_fixing():
    m = op()
    assert m.choices == ['a', 'b', 'c'] and m.current_choice == 'a'
    assert {m.sample_choice() for _ in range(60)} == {'a', 'b', 'c'}
    with pytest.raises(ValueError, match="unknown choice 'z'"):
        m.current_choice = 'z'
    kept = m.candidates['b']
    m.fix_chosen('b')
    assert m.is_fixed and m.choices == ['b']
    assert list(m.candidates.keys()) == ['b'] and m.export() is kept
    with pytest.raises(RuntimeError, match='fixed'):
        m.current_choice = 'a'


def test_one_shot_op_runs_only_the_current_candidate():
    calls = []
    cands = {}
    for n in 'ab':
        c = nn.Identity()
        c.register_forward_hook(lambda mod, i, o, n=n: calls.append(n))
        cands[n] = c
    m = OneShotMutableOP(cands)
    m.current_choice = 'b'
    m(torch.zeros(1))
    assert calls == ['b']


def test_alias_shares_one_decision():
    net = nn.Sequential(op(alias='k'), op(alias='k'), op())
    mutator = NasMutator()
    mutator.prepare_from_supernet(net)
    assert list(mutator.search_groups) == ['k', '2']
    assert mutator.group_members('k') == ['0', '1']
    mutator.set_choices({'k': 'c', '2': 'b'})
    assert [m.current_choice for m in net] == ['c', 'c', 'b']
    for _ in range(10):
        mutator.set_choices(mutator.sample_choices())
        assert net[0].current_choice == net[1].current_choice


def test_alias_with_disagreeing_choices_is_an_error():
    net = nn.Sequential(op(alias='k'), op(('a', 'b'), alias='k'))
    with pytest.raises(SearchSpaceError, match="alias 'k'.*identical"):
        NasMutator().prepare_from_supernet(net)
