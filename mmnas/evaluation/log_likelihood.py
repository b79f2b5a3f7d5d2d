"""A validation metric that still ranks models whose top-1 saturates."""
import math
from typing import Dict, List, Sequence

from mmengine.evaluator import BaseMetric

from mmnas.registry import METRICS


@METRICS.register_module()
class LogLikelihood(BaseMetric):
    """Mean log-probability (nats) the model gives each image's true class:
    the negative cross-entropy, so higher is better, like top-1.

    A search scores candidates on a fixed validation set; when the best
    candidates all reach (nearly) 100 % top-1 there, their ranking is a
    tie broken by one or two images, while the likelihood still measures
    how confidently each one is right. ``score_key='likelihood/log_p'``
    ranks by it. Probabilities below ``eps`` count as ``eps``.
    """
    default_prefix = 'likelihood'

    def __init__(self, eps: float = 1e-12, **kwargs) -> None:
        super().__init__(**kwargs)
        self.eps = eps

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            score = sample['pred_label']['score']
            label = int(sample['gt_label']['label'])
            self.results.append(math.log(max(float(score[label]), self.eps)))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        return {'log_p': sum(results) / len(results)}
