"""Refuse a checkpoint of another model instead of training or searching
with mostly random weights (mmengine loads non-strictly and only warns)."""
from mmengine.hooks import Hook

from mmnas.engine.utils import load_from, runner_model
from mmnas.registry import HOOKS
from mmnas.utils import CheckpointError


@HOOKS.register_module()
class CheckpointMatchHook(Hook):
    """After a checkpoint is read (``load_from`` / ``--resume``) and before
    it is loaded: raise :class:`CheckpointError` when fewer than
    ``min_fraction`` of the model's tensors are in it with the same name and
    shape.

    Args:
        min_fraction (float): Share of the model's state that must match.
            A head re-initialised for another number of classes stays well
            above the default.
    """

    priority = 'VERY_HIGH'

    def __init__(self, min_fraction: float = 0.5) -> None:
        self.min_fraction = min_fraction

    def after_load_checkpoint(self, runner, checkpoint) -> None:
        model = runner_model(runner)
        state = checkpoint.get('state_dict', checkpoint) \
            if isinstance(checkpoint, dict) else None
        source = load_from(runner) or 'the checkpoint to resume from'
        if not isinstance(state, dict):
            raise CheckpointError(
                f'{source!r} holds no state_dict; pass a checkpoint written '
                'by tools/train.py.')
        state = {
            k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in state.items()
        }
        own = model.state_dict()
        matched = [
            k for k, v in own.items()
            if k in state and getattr(state[k], 'shape', None) == v.shape
        ]
        if len(matched) >= self.min_fraction * len(own):
            return
        missing = [k for k in own if k not in matched][:3]
        raise CheckpointError(
            f'{source!r} is a checkpoint of another model: only '
            f'{len(matched)} of the {len(own)} tensors of '
            f'{type(model).__name__} are in it with the right shape '
            f'(e.g. not {", ".join(missing)}). Pass a checkpoint written '
            'with this config (a search loads its supernet checkpoint).')
