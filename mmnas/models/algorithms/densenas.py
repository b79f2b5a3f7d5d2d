"""DenseNAS: Densely Connected Search Space for More Flexible Neural
Architecture Search (Fang et al., CVPR 2020).

The supernet (:class:`DenseNASSupernet`) holds op logits alpha (one op is
sampled per op choice and step) and path logits beta (every path runs,
scaled by its probability). A step gets either one batch (warm-up: weights
only) or ``dict(weight=batch, arch=batch)`` from two disjoint parts of the
training data (``AlternateEpochBasedTrainLoop``): the weights take an SGD
step on the first, then alpha and beta an Adam step on the second with the
cost-aware loss ``CE + weight * log(cost) / log(target)``, where ``cost``
is the chained expected cost of the supernet (FLOPs, params or, with a
latency table, milliseconds). The derived architecture is the Viterbi path
through the blocks with the argmax ops (``derive()``).
"""
import math
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn

from mmnas.estimators import build_estimator, refuse_cost_settings
from mmnas.registry import MODEL_WRAPPERS, MODELS
from mmnas.utils import UserError
from ..architectures.densenas_supernet import DenseNASSupernet
from ..mutables import DiffMutable
from .base import BaseAlgorithm, SearchStepDDP


@MODELS.register_module()
class DenseNAS(BaseAlgorithm):
    """Args:
        architecture (dict | nn.Module): ImageClassifier whose backbone is a
            :class:`DenseNASSupernet`.
        cost (dict): ``metric`` (one the estimator gives: 'flops',
            'params' or 'latency'), ``weight`` and ``target`` of the loss
            term (in ``unit``), ``unit`` (e.g. 1e6 for MFLOPs; ms for
            latency: 1) and ``skip_reg`` (fraction of a layer's first op
            charged for a skip; DenseNAS ResNet: 0.1). ``weight=0``
            searches without the cost term.
        estimator (dict): Estimator (``TASK_UTILS``) of the metric:
            ``dict(type='CostTable', input_shape=...)`` or
            ``dict(type='LatencyTable', table=<file of
            tools/analysis/build_latency_lut.py>)``.
    """

    def __init__(self,
                 architecture: Union[dict, nn.Module],
                 mutator: dict = dict(type='NasMutator'),
                 cost: dict = dict(
                     metric='flops', weight=0.15, target=300., unit=1e6),
                 estimator: dict = dict(type='CostTable'),
                 eval_subnet: Optional[Union[str, dict]] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg=None,
                 **removed) -> None:
        refuse_cost_settings('DenseNAS', removed)
        super().__init__(architecture, mutator, eval_subnet, data_preprocessor,
                         init_cfg)
        backbone = getattr(self.architecture, 'backbone', None)
        if not isinstance(backbone, DenseNASSupernet):
            raise UserError(
                'DenseNAS needs an architecture whose backbone is a '
                f'DenseNASSupernet, got {type(backbone).__name__}. See '
                'configs/nas/densenas/densenas_mbv2_search_1xb32_digits.py.')
        refuse_cost_settings(
            'DenseNAS cost',
            {k: v
             for k, v in cost.items() if k == 'latency_table'})
        self.cost_cfg = dict(
            dict(weight=0., target=math.e, unit=1., skip_reg=0.), **cost)
        self._estimator = build_estimator(estimator)
        metric = self.cost_cfg.get('metric')
        problems = []
        if metric not in self._estimator.units:
            problems.append(
                f'metric {metric!r} is not one the estimator gives '
                f'({sorted(self._estimator.units)}; latency needs '
                "estimator=dict(type='LatencyTable', table=...))")
        if self.cost_cfg['target'] <= 1 or self.cost_cfg['weight'] < 0 or \
                self.cost_cfg['unit'] <= 0:
            problems.append('target must be > 1 and weight >= 0 and unit '
                            '> 0')
        if problems:
            raise UserError('DenseNAS cost settings: ' + '; '.join(problems) +
                            f' (got {cost}). Fix model.cost in the config.')
        self._table = None

    @property
    def supernet(self) -> DenseNASSupernet:
        return self.architecture.backbone

    # cost -----------------------------------------------------------------
    def cost_table(self) -> Tuple[float, Callable]:
        """``(fixed cost, op_cost(decision, choice))`` in the metric's raw
        unit, from the estimator; bound to the supernet on first use."""
        if self._table is None:
            metric = self.cost_cfg['metric']
            table = self._estimator.bind(self.architecture, self.mutator)
            self._table = (table.fixed[metric],
                           lambda d, c: table.candidate_cost(d, c)[metric])
        return self._table

    def expected_cost(self,
                      probs: Optional[Dict[str, torch.Tensor]] = None,
                      skip_reg: Optional[float] = None) -> torch.Tensor:
        """Chained expected cost of the whole network (raw unit),
        differentiable in alpha and beta. ``probs`` replaces softmaxes by
        decision name (e.g. one-hot ones)."""
        fixed, op_cost = self.cost_table()
        prefix = self._prefix()
        probs = {k[len(prefix):]: v for k, v in (probs or {}).items()}
        reg = self.cost_cfg['skip_reg'] if skip_reg is None else skip_reg
        return fixed + self.supernet.chained_cost(
            lambda name, c: op_cost(prefix + name, c), probs, reg)

    def one_hot_probs(self, choices: Dict) -> Dict[str, torch.Tensor]:
        """One-hot probabilities of ``choices`` for every decision."""
        self.mutator.validate_choices(choices)
        probs = {}
        for key, members in self.mutator.search_groups.items():
            options = members[0].arch_choices if isinstance(
                members[0], DiffMutable) else members[0].choices
            probs[key] = torch.zeros(len(options), dtype=torch.float64)
            probs[key][options.index(choices[key])] = 1.
        return probs

    def cost_of(self, choices: Dict) -> torch.Tensor:
        """Chained cost with alpha/beta one-hot at ``choices``: for the
        derived path, the exact cost of the derived network."""
        return self.expected_cost(self.one_hot_probs(choices), skip_reg=0.)

    def _prefix(self) -> str:
        for name, module in self.architecture.named_modules():
            if module is self.supernet:
                return name + '.'
        raise RuntimeError('the supernet is not inside the architecture')

    def cost_loss(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(loss term, expected cost in unit)``."""
        cfg = self.cost_cfg
        cost = self.expected_cost() / cfg['unit']
        return cfg['weight'] * torch.log(cost) / math.log(cfg['target']), \
            cost.detach()

    # derivation -------------------------------------------------------------
    def derive(self) -> Tuple[Dict, str]:
        """``(subnet choices by decision, net_config string)`` of the
        current logits: Viterbi path, argmax ops, skip layers dropped."""
        prefix = self._prefix()
        local = self.supernet.derive_choices()
        choices = {prefix + k: v for k, v in local.items()}
        self.mutator.validate_choices(choices)
        return choices, self.supernet.net_config_of(local)

    def net_config_of(self, choices: Dict) -> str:
        """The net_config of a subnet (e.g. a subnet file's choices)."""
        self.mutator.validate_choices(choices)
        prefix = self._prefix()
        return self.supernet.net_config_of(
            {k[len(prefix):]: v
             for k, v in choices.items()})

    # steps ------------------------------------------------------------------
    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode != 'loss' and self.eval_subnet is None:
            self.mutator.set_choices(self.derive()[0])
        return super().forward(inputs, data_samples, mode)

    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        return self.search_step(data, optim_wrapper, self)

    def search_step(self, data, optim_wrapper,
                    runner_model: nn.Module) -> Dict[str, torch.Tensor]:
        """A weight step, and an architecture step when ``data`` holds an
        ``arch`` batch; forwards go through ``runner_model`` (this model or
        its DDP wrapper, so gradients are synchronised)."""
        weights, arch = self.split_weight_arch_optim(optim_wrapper)
        paired = isinstance(data, dict) and set(data) == {'weight', 'arch'}
        with weights.optim_context(runner_model):
            batch = self.data_preprocessor(data['weight'] if paired else data,
                                           True)
            losses = runner_model._run_forward(batch, mode='loss')
        parsed, log_vars = self.parse_losses(losses)
        weights.update_params(parsed)
        # the weight step also left gradients on alpha/beta
        arch.zero_grad()
        if paired:
            with arch.optim_context(runner_model):
                batch = self.data_preprocessor(data['arch'], True)
                losses = runner_model._run_forward(batch, mode='loss')
                losses['loss_cost'], cost = self.cost_loss()
            parsed, arch_vars = self.parse_losses(losses)
            arch.update_params(parsed)
            # and the architecture step on the weights
            weights.zero_grad()
            log_vars.update({f'arch_{k}': v for k, v in arch_vars.items()})
            log_vars[f'cost_{self.cost_cfg["metric"]}'] = cost
        return log_vars


@MODEL_WRAPPERS.register_module()
class DenseNASDDP(SearchStepDDP):
    """:class:`SearchStepDDP` for DenseNAS (its weight and architecture
    steps on their two batches)."""
