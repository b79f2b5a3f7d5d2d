"""A config that reads what an earlier step writes refuses to start without
it, with one error naming the file and the command that writes it."""
import glob
import os.path as osp

import pytest
from conftest import ROOT
from mmengine.config import Config

from mmnas.utils.config import StepOutputMissing, load_config

NEEDS_A_STEP = {
    'densenas/densenas_retrain_1xb64_digits.py': ['model.backbone.net_config'],
    'densenas/densenas_retrain_1xb64_digits_lmdb.py':
    ['model.backbone.net_config'],
    'dsnas/dsnas_shufflenet_subnet_1xb64_digits.py':
    ['model.subnet', 'model.supernet_checkpoint'],
    'ponas/ponas_subnet_1xb64_digits.py': ['model.subnet'],
    'spos/spos_mobilenet_subnet_1xb64_digits.py': ['model.subnet'],
    'spos/spos_shufflenet_subnet_1xb64_digits.py': ['model.subnet'],
    'spos_quant/spos_quant_resnet18_subnet_1xb64_digits.py': ['model.subnet'],
    'spos_quant/spos_quant_resnet18_subnet_8xb128_in1k.py': ['model.subnet'],
    'spos_quant/spos_quant_resnet34_subnet_8xb128_in1k.py': ['model.subnet'],
}


def test_configs_that_need_an_earlier_step_say_which():
    found = {}
    for path in glob.glob(
            osp.join(ROOT, 'configs/nas/**/*.py'), recursive=True):
        written_by = Config.fromfile(path).get('written_by')
        if written_by:
            found[osp.relpath(path,
                              osp.join(ROOT,
                                       'configs/nas'))] = sorted(written_by)
    assert found == {k: sorted(v) for k, v in NEEDS_A_STEP.items()}


@pytest.mark.parametrize('name', sorted(NEEDS_A_STEP))
def test_missing_step_output_is_one_clear_error(name, tmp_path, monkeypatch):
    """In a fresh directory the default paths (under work_dirs/) are
    absent."""
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(osp.join(ROOT, 'configs/nas', name))
    key = NEEDS_A_STEP[name][0]
    with pytest.raises(StepOutputMissing) as e:
        load_config(osp.join(ROOT, 'configs/nas', name))
    message = str(e.value)
    assert message.startswith(f'{key}=')
    assert 'work_dirs/' in message and 'does not exist' in message
    assert f'`{cfg.written_by[key]}`' in message
    assert f'--cfg-options {key}=PATH' in message


def test_train_without_the_search_output(run_in_process, tmp_path):
    missing = str(tmp_path / 'search' / 'best_subnet.yaml')
    code, out = run_in_process('train.py', [
        'configs/nas/spos/spos_shufflenet_subnet_1xb64_digits.py',
        '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', f'model.subnet={missing}'
    ])
    assert code == 2
    assert out.count('error: ') == 1 and 'Traceback' not in out
    assert f"error: model.subnet='{missing}' does not exist" in out
    assert 'python tools/train.py configs/nas/spos/' \
        'spos_shufflenet_search_1xb64_digits.py' in out
    assert not (tmp_path / 'work').exists()


def test_net_config_file_that_does_not_exist():
    from mmnas.models.architectures.densenas_net import (NetConfigError,
                                                         parse_net_config)
    with pytest.raises(NetConfigError, match="'nope/net_config.txt' does"):
        parse_net_config('nope/net_config.txt')
