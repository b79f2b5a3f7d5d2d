"""The configs the tools load format their text once per content: the
runner asks for it at every dump, log and checkpoint."""
import copy

import mmengine.config.config as mmengine_config
from conftest import ROOT
from mmengine.config import Config

from mmnas.utils.config import load_config

CONFIG = f'{ROOT}/configs/nas/spos/spos_shufflenet_supernet_1xb64_digits.py'


def test_config_text_is_formatted_once_per_content(monkeypatch):
    formatted = []
    real = mmengine_config.FormatCode

    def counting(*args, **kwargs):
        formatted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mmengine_config, 'FormatCode', counting)
    cfg, plain = load_config(CONFIG), Config.fromfile(CONFIG)
    assert cfg.pretty_text == plain.pretty_text
    assert len(formatted) == 2
    assert cfg.pretty_text == copy.deepcopy(cfg).pretty_text
    assert len(formatted) == 2  # kept, also by the runner's deep copy

    cfg.work_dir = plain.work_dir = '/elsewhere'
    cfg.supernet.head.num_classes = 7
    plain.supernet.head.num_classes = 7
    assert cfg.pretty_text == plain.pretty_text
    assert "work_dir = '/elsewhere'" in cfg.pretty_text
    assert len(formatted) == 4
