"""DSNAS: Direct Neural Architecture Search without Parameter Retraining
(Hu et al., CVPR 2020).

Weights and architecture logits are trained together on the task loss; the
derived subnet is then fine-tuned from the same weights ("search from
search") instead of being retrained. Three phases, by epoch:

* ``epoch < pretrain_epochs``: weights only (paths sampled from the
  still near-uniform logits);
* ``pretrain_epochs <= epoch < finetune_epochs``: weights (SGD) and logits
  (Adam) every step; the logits get DSNAS' credit-times-score-function
  gradient from :class:`OneHotMutableOP`, plus an optional FLOPs penalty.
  With ``early_fix_threshold`` (the official ``--early_fix_arch``), at the
  start of every epoch each decision whose top-1 probability leads the
  second by at least the threshold is fixed at its argmax: it is no
  longer sampled and its logits stay as they were when it was fixed;
* ``epoch >= finetune_epochs``: every decision is frozen to its argmax and
  the remaining epochs train that subnet. The other candidates stay in the
  model, unused, so checkpoints keep the supernet's keys (resume and
  ``SubnetModel`` read them alike) and DDP sees the same parameters.

The epoch comes from mmengine's ``MessageHub`` so the model never sees the
runner.
"""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine import dist
from mmengine.logging import MessageHub, MMLogger

from mmnas.estimators import build_estimator, refuse_cost_settings
from mmnas.registry import MODEL_WRAPPERS, MODELS
from mmnas.utils import UserError
from ..mutables import OneHotMutableOP
from .base import BaseAlgorithm, SearchStepDDP

PHASES = ('pretrain', 'search', 'finetune')


@MODELS.register_module()
class DSNAS(BaseAlgorithm):
    """Args:
        architecture (dict | nn.Module): Supernet whose decisions are
            :class:`OneHotMutableOP` s.
        mutator (dict): Mutator config.
        pretrain_epochs (int): Epochs that train the weights only.
        finetune_epochs (int): Epoch at which the argmax subnet is fixed
            and fine-tuning starts.
        flops_limit (float, optional): MFLOPs (as the estimator counts
            them) above which a sampled subnet is penalised; None disables
            the penalty.
        flops_coef (float): Weight of the penalty
            ``sum_layers p(sampled op) * MFLOPs(sampled op)``.
        estimator (dict): Estimator (``TASK_UTILS``) of the ``flops``:
            ``dict(type='CostTable', input_shape=..., convention=...)``,
            convention ``'macs'`` (conv + linear multiply-adds) or
            ``'mmrazor'`` (what MMRazor's DSNAS penalises with).
        eval_subnet (str | dict, optional): Subnet that validation runs;
            None runs the argmax subnet.
        warm_start (dict, optional): See :class:`BaseAlgorithm`; its epochs
            are part of the pretrain epochs.
        early_fix_threshold (float, optional): Fix a decision at its argmax
            from the start of the first search epoch at which its top-1
            probability exceeds the second by this much (official DSNAS:
            0.3); None never fixes early.
    """

    def __init__(self,
                 architecture: Union[dict, nn.Module],
                 mutator: dict = dict(type='NasMutator'),
                 pretrain_epochs: int = 15,
                 finetune_epochs: int = 85,
                 flops_limit: Optional[float] = None,
                 flops_coef: float = 1e-2,
                 estimator: dict = dict(type='CostTable'),
                 eval_subnet: Optional[Union[str, dict]] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg=None,
                 warm_start: Optional[dict] = None,
                 early_fix_threshold: Optional[float] = None,
                 **removed) -> None:
        refuse_cost_settings('DSNAS', removed)
        super().__init__(architecture, mutator, eval_subnet, data_preprocessor,
                         init_cfg, warm_start)
        if self.warm_start_epochs > pretrain_epochs:
            raise UserError(
                f'DSNAS warm_start.epochs ({self.warm_start_epochs}) must not '
                f'exceed pretrain_epochs ({pretrain_epochs}): the warm start '
                'trains the weights only. Lower one or raise the other.')
        if not 0 <= pretrain_epochs <= finetune_epochs:
            raise UserError(
                f'DSNAS needs 0 <= pretrain_epochs <= finetune_epochs, got '
                f'pretrain_epochs={pretrain_epochs}, finetune_epochs='
                f'{finetune_epochs}. Fix the model settings in the config.')
        if early_fix_threshold is not None and \
                not 0 < early_fix_threshold <= 1:
            raise UserError(
                f'early_fix_threshold is a probability gap in (0, 1] (DSNAS: '
                f'0.3) or None, got {early_fix_threshold}. Fix the model '
                'settings in the config.')
        if flops_limit is not None and flops_limit < 0:
            raise UserError(f'flops_limit must be >= 0 MFLOPs or None, got '
                            f'{flops_limit}.')
        self.pretrain_epochs = pretrain_epochs
        self.finetune_epochs = finetune_epochs
        self.flops_limit = flops_limit
        self.flops_coef = flops_coef
        self._estimator = build_estimator(estimator)
        if 'flops' not in self._estimator.units:
            raise UserError(
                f'DSNAS penalises FLOPs; its estimator gives '
                f"{sorted(self._estimator.units)}. Use dict(type='CostTable'"
                ', ...).')
        self._bound = False
        self._leaders = self._tie_decisions()
        self._frozen: Optional[Dict] = None
        self.early_fix_threshold = early_fix_threshold
        # decision -> (choice index, its logits when fixed)
        self.early_fixed: Dict[str, Tuple[int, torch.Tensor]] = {}
        self._checked_epoch: Optional[int] = None

    def _tie_decisions(self) -> Dict[str, OneHotMutableOP]:
        """One set of logits per decision: the mutables of an alias share
        their first member's ``arch_param`` (and, each step, its draw)."""
        leaders = {}
        for key, members in self.mutator.search_groups.items():
            bad = [m for m in members if not isinstance(m, OneHotMutableOP)]
            if bad:
                raise UserError(
                    f'DSNAS searches OneHotMutableOP decisions only; '
                    f'{key!r} is a {type(bad[0]).__name__}. Build the '
                    "supernet with mutable_cfg type='OneHotMutableOP' (see "
                    'configs/_base_/nas_backbones/dsnas_shufflenet_supernet'
                    '.py).')
            for member in members[1:]:
                member.arch_param = members[0].arch_param
            leaders[key] = members[0]
        if not leaders:
            raise UserError('DSNAS found no searchable decision in the '
                            'architecture; give its backbone OneHotMutableOP '
                            'mutables.')
        return leaders

    @property
    def phase(self) -> str:
        """'pretrain', 'search' or 'finetune' for the current epoch."""
        epoch = MessageHub.get_current_instance().get_info('epoch', 0)
        if epoch < self.pretrain_epochs:
            return 'pretrain'
        return 'search' if epoch < self.finetune_epochs else 'finetune'

    @property
    def is_fixed(self) -> bool:
        """Whether the architecture is frozen (fine-tuning)."""
        return self._frozen is not None

    def derive_subnet(self) -> Dict:
        """The argmax subnet, ``{decision: choice}``."""
        return self.mutator.argmax_choices()

    def fix_to_argmax(self) -> Dict:
        """Freeze every decision at its argmax (rank 0's logits when
        distributed, so all ranks fine-tune the same subnet) and return the
        subnet. The logits are no longer stepped, so a resumed run derives
        the same subnet again."""
        if dist.is_distributed():
            for leader in self._leaders.values():
                dist.broadcast(leader.arch_param.data, src=0)
        self._frozen = self.derive_subnet()
        self.mutator.set_choices(self._frozen)
        MMLogger.get_current_instance().info(
            f'DSNAS: architecture fixed to the argmax subnet for '
            f'fine-tuning: {dict(self._frozen)}')
        return dict(self._frozen)

    def fix_early(self) -> None:
        """Once per search epoch, at its first step: fix every decision not
        fixed yet whose top-1 probability leads the second by at least
        ``early_fix_threshold``. A run resumed at an epoch's start finds
        the same decisions fixed: their logits keep the values they were
        fixed with."""
        epoch = MessageHub.get_current_instance().get_info('epoch', 0)
        if self.early_fix_threshold is None or epoch == self._checked_epoch:
            return
        self._checked_epoch = epoch
        new = {}
        for key, leader in self._leaders.items():
            if key in self.early_fixed:
                continue
            top = torch.topk(leader.arch_probs().detach(), 2)
            if float(top.values[0] - top.values[1]) >= \
                    self.early_fix_threshold:
                index = int(top.indices[0])
                self.early_fixed[key] = (index,
                                         leader.arch_param.detach().clone())
                new[key] = leader.arch_choices[index]
        if new:
            MMLogger.get_current_instance().info(
                f'DSNAS: fixed early at epoch {epoch + 1} (top-1 probability '
                f'ahead by >= {self.early_fix_threshold}): {new}')

    def restore_early_fixed(self) -> None:
        """Put back the logits the early-fixed decisions were fixed with
        (the optimizer's momentum would move them)."""
        with torch.no_grad():
            for key, (_, logits) in self.early_fixed.items():
                self._leaders[key].arch_param.copy_(logits)

    def sample_subnet(self, arch_grad: bool) -> Dict:
        """Draw one choice per decision from its softmax and arm every
        member mutable with it (with the DSNAS gradient path when
        ``arch_grad``); an early-fixed decision runs its choice, unscaled.
        """
        subnet = {}
        for key, members in self.mutator.search_groups.items():
            if key in self.early_fixed:
                index, scale = self.early_fixed[key][0], None
            else:
                index, scale = members[0].sample_one_hot(arch_grad)
            for member in members:
                member.set_sample(index, scale)
            subnet[key] = members[0].arch_choices[index]
        return subnet

    def _run_path(self, subnet: Dict) -> None:
        """Arm every mutable with the choice ``subnet`` gives it, unscaled
        (no architecture gradient)."""
        for key, members in self.mutator.search_groups.items():
            index = members[0].arch_choices.index(subnet[key])
            for member in members:
                member.set_sample(index, None)

    @property
    def estimator(self):
        """The cost estimator, bound to the supernet on first use."""
        if not self._bound:
            self._estimator.bind(self.architecture, self.mutator)
            self._bound = True
        return self._estimator

    def flops_loss(self, subnet: Dict) -> Optional[torch.Tensor]:
        """DSNAS' resource penalty for the sampled ``subnet``, or None when
        it is within ``flops_limit``. Its gradient reaches the logits
        through the sampled ops' probabilities."""
        table = self.estimator
        if table.cost(subnet)['flops'] / 1e6 < self.flops_limit:
            return None
        loss = 0.
        for key, choice in subnet.items():
            leader = self._leaders[key]
            prob = leader.arch_probs()[leader.arch_choices.index(choice)]
            mflops = table.candidate_cost(key, choice)['flops'] / 1e6
            loss = loss + prob * mflops
        return self.flops_coef * loss

    def loss(self,
             inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        phase = self.phase
        if self.is_fixed:
            self._run_path(self._frozen)
            return self.architecture(inputs, data_samples, mode='loss')
        warm = self.warm_start_path()
        if warm is not None:
            self._run_path(warm)
            return self.architecture(inputs, data_samples, mode='loss')
        if phase == 'search':
            self.fix_early()
        subnet = self.sample_subnet(arch_grad=phase == 'search')
        losses = self.architecture(inputs, data_samples, mode='loss')
        if phase == 'search' and self.flops_limit is not None:
            flops_loss = self.flops_loss(subnet)
            if flops_loss is not None:
                losses['flops_loss'] = flops_loss
        return losses

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode != 'loss' and self.eval_subnet is None:
            self.mutator.set_choices(self._frozen or self.derive_subnet())
        return super().forward(inputs, data_samples, mode)

    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        return self.search_step(data, optim_wrapper, self)

    def search_step(self, data, optim_wrapper,
                    runner_model: nn.Module) -> Dict[str, torch.Tensor]:
        """One step: freeze the subnet when fine-tuning starts, one forward
        and backward through ``runner_model`` (this model, or its DDP
        wrapper so gradients are synchronised), a weight step, and an
        architecture step in the search phase."""
        weights, arch = self.split_weight_arch_optim(optim_wrapper)
        phase = self.phase
        if phase == 'finetune' and not self.is_fixed:
            self.fix_to_argmax()
        with weights.optim_context(runner_model):
            data = self.data_preprocessor(data, True)
            losses = runner_model._run_forward(data, mode='loss')
        parsed_loss, log_vars = self.parse_losses(losses)
        weights.update_params(parsed_loss)
        if phase == 'search':
            arch.step()
            self.restore_early_fixed()
        arch.zero_grad()
        return log_vars


@MODEL_WRAPPERS.register_module()
class DSNASDDP(SearchStepDDP):
    """:class:`SearchStepDDP` for DSNAS (once the subnet is frozen, the
    unchosen candidates get no gradient either)."""
