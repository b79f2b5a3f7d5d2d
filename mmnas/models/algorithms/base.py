"""What every NAS algorithm shares: an architecture and its mutator."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.logging import MessageHub, MMLogger
from mmengine.model import BaseModel, MMDistributedDataParallel
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmnas.registry import MODELS, TASK_UTILS
from mmnas.structures import load_subnet
from mmnas.utils import UserError


class BaseAlgorithm(BaseModel):
    """Wraps an mmcls-style architecture (``ImageClassifier`` with a
    searchable backbone) and the mutator that drives its mutables.

    The architecture's data preprocessor is reused, so a config states it
    once. Search loops use only ``mutator`` and ``architecture``.

    Args:
        architecture (dict | nn.Module): The supernet.
        mutator (dict): Mutator config. Defaults to ``NasMutator``.
        eval_subnet (str | dict, optional): Subnet (file or choices) that
            validation/test run; None runs the current choices.
        warm_start (dict, optional): ``dict(epochs=N, choices=None)``:
            train one candidate per op decision alone for the first N
            epochs (its ``reference_choice``, or the partial ``choices``
            given; other decisions, e.g. channel widths, are sampled as
            usual), then copy its weights into every other candidate
            (:meth:`NasMutator.inherit_weights`) before the algorithm's own
            sampling starts. A small supernet trained by uniform sampling
            from scratch can stay at chance (docs/algorithms/spos.md).
    """

    def __init__(self,
                 architecture: Union[dict, nn.Module],
                 mutator: dict = dict(type='NasMutator'),
                 eval_subnet: Optional[Union[str, dict]] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg=None,
                 warm_start: Optional[dict] = None) -> None:
        if isinstance(architecture, dict):
            architecture = MODELS.build(architecture)
        if data_preprocessor is None:
            data_preprocessor = getattr(architecture, 'data_preprocessor',
                                        None)
        elif isinstance(data_preprocessor, dict):
            # the runner passes a config's top-level data_preprocessor here
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.architecture = architecture
        self.mutator = TASK_UTILS.build(mutator)
        self.mutator.prepare_from_supernet(self.architecture)
        self.eval_subnet = None
        if eval_subnet is not None:
            self.eval_subnet = load_subnet(eval_subnet)
            self.mutator.validate_choices(self.eval_subnet)
        self._init_warm_start(warm_start)

    def _init_warm_start(self, warm_start: Optional[dict]) -> None:
        warm_start = dict(warm_start or {})
        epochs = warm_start.pop('epochs', 0)
        choices = warm_start.pop('choices', None) or {}
        if warm_start or not isinstance(epochs, int) or epochs < 0:
            raise UserError(
                f'warm_start takes epochs (an int >= 0) and choices, got '
                f'epochs={epochs!r} and {sorted(warm_start)}. Fix '
                'model.warm_start in the config, e.g. dict(epochs=4).')
        self.mutator.validate_choices(choices, partial=True)
        self.warm_start_epochs = epochs
        self.warm_start_choices = dict(self.mutator.reference_choices(),
                                       **choices)
        self._last_epoch: Optional[int] = None

    def warm_start_path(self) -> Optional[Dict]:
        """The choices the warm start pins in this training step (a partial
        path) while it lasts, else None. The first step of epoch
        ``warm_start.epochs`` (also when a run resumes there) copies those
        choices into every candidate; a run resumed later has the copied
        weights in its checkpoint. The epoch comes from mmengine's
        ``MessageHub``, as in DSNAS."""
        if not self.warm_start_epochs:
            return None
        epoch = MessageHub.get_current_instance().get_info('epoch', 0)
        last, self._last_epoch = self._last_epoch, epoch
        if epoch < self.warm_start_epochs:
            return self.warm_start_choices
        if epoch == self.warm_start_epochs and last != epoch:
            self.mutator.inherit_weights(self.warm_start_choices)
            MMLogger.get_current_instance().info(
                f'{type(self).__name__}: warm start done after {epoch} '
                'epochs; every candidate now starts from the trained path.')
        return None

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if self.eval_subnet is not None:
            self.mutator.set_choices(self.eval_subnet)
        return self.architecture(inputs, data_samples, mode=mode)

    def loss(self,
             inputs: torch.Tensor,
             data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        return self.architecture(inputs, data_samples, mode='loss')

    def split_weight_arch_optim(
            self, optim_wrapper) -> Tuple[OptimWrapper, OptimWrapper]:
        """The weights' and the architecture parameters' optim wrappers, for
        algorithms that step both (built by
        ``ArchParamOptimWrapperConstructor``)."""
        name = type(self).__name__
        if not isinstance(optim_wrapper, OptimWrapperDict) or \
                set(optim_wrapper.keys()) != {'weights', 'arch'}:
            raise UserError(
                f'{name} needs two optimizers: set optim_wrapper = dict('
                "constructor='ArchParamOptimWrapperConstructor', "
                'weights=dict(optimizer=...), arch=dict(optimizer=...)) in '
                f'the config (see configs/nas/{name.lower()}/).')
        return optim_wrapper['weights'], optim_wrapper['arch']


class SearchStepDDP(MMDistributedDataParallel):
    """DistributedDataParallel for an algorithm that makes its own training
    step, ``search_step(data, optim_wrapper, runner_model)`` (a weight and
    an architecture optimizer; the forwards go through this wrapper so
    gradients are synchronised). Candidates a rank did not sample get no
    gradient, so unused parameters are searched for by default."""

    def __init__(self,
                 module,
                 find_unused_parameters: bool = True,
                 **kwargs) -> None:
        super().__init__(
            module=module,
            find_unused_parameters=find_unused_parameters,
            **kwargs)

    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        return self.module.search_step(data, optim_wrapper, self)
