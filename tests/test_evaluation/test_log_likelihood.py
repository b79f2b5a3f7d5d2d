import math

import pytest
import torch
from mmcls.structures import ClsDataSample
from mmengine.evaluator import Evaluator

from mmnas import register_all_modules


def _samples(probs, labels):
    return [
        ClsDataSample().set_pred_score(torch.tensor(p)).set_gt_label(label)
        for p, label in zip(probs, labels)
    ]


def test_mean_log_probability_of_the_true_class():
    register_all_modules()
    evaluator = Evaluator([dict(type='LogLikelihood')])
    evaluator.process(_samples([[0.7, 0.2, 0.1], [0.5, 0.25, 0.25]], [0, 1]))
    evaluator.process(_samples([[0.0, 0.0, 1.0]], [2]))
    metrics = evaluator.evaluate(3)
    assert metrics['likelihood/log_p'] == pytest.approx(
        (math.log(0.7) + math.log(0.25) + 0.0) / 3)


def test_it_ranks_models_of_equal_top1():
    """Two models right on every image: top-1 ties, the likelihood
    prefers the confident one; a zero probability counts as ``eps``."""
    register_all_modules()
    scores = {}
    for name, p in [('confident', 0.9), ('unsure', 0.4)]:
        evaluator = Evaluator(
            [dict(type='Accuracy', topk=(1, )),
             dict(type='LogLikelihood')])
        evaluator.process(
            _samples([[p, (1 - p) / 2, (1 - p) / 2]] * 4, [0] * 4))
        scores[name] = evaluator.evaluate(4)
    assert scores['confident']['accuracy/top1'] == \
        scores['unsure']['accuracy/top1'] == 100.0
    assert scores['confident']['likelihood/log_p'] > \
        scores['unsure']['likelihood/log_p']
    evaluator = Evaluator([dict(type='LogLikelihood', eps=1e-6)])
    evaluator.process(_samples([[1.0, 0.0]], [1]))
    assert evaluator.evaluate(1)['likelihood/log_p'] == pytest.approx(
        math.log(1e-6))
