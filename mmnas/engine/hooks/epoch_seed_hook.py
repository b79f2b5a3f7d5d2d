"""Make a run resumed after a kill draw the same random numbers as the
run that was not interrupted."""
from mmengine.hooks import Hook
from mmengine.runner import set_random_seed

from mmnas.engine.utils import randomness_cfg
from mmnas.registry import HOOKS


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Re-seed python, numpy and torch at the start of every training epoch
    from (the run's seed, the epoch).

    mmengine resumes at an epoch boundary but seeds the random generators
    only once, at start-up: a resumed run then samples other paths (SPOS,
    DSNAS) and other augmentations than the uninterrupted run did in the
    same epoch. Seeded per epoch, both draw the same numbers. Data loader
    workers that persist across epochs keep their own generators; the
    augmentations they draw are the same after a resume only with
    ``num_workers=0`` or ``persistent_workers=False``; a resumed run says
    so when it has such workers. Does nothing when the run has no seed
    (``randomness.seed=None``).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        if randomness_cfg(runner).get('seed') is None or runner.epoch == 0:
            return
        loop = runner.train_loop
        loaders = [
            getattr(loop, name, None)
            for name in ('dataloader', 'arch_dataloader')
        ]
        if any(
                getattr(d, 'persistent_workers', False) and d.num_workers > 0
                for d in loaders):
            runner.logger.warning(
                'Resumed with persistent data loader workers: their random '
                'generators start afresh, so augmentations differ from the '
                'uninterrupted run (use num_workers=0 or '
                'persistent_workers=False for a bit-identical resume).')

    def before_train_epoch(self, runner) -> None:
        if randomness_cfg(runner).get('seed') is None:
            return
        set_random_seed(
            runner.seed + 7919 * runner.epoch,
            deterministic=randomness_cfg(runner).get('deterministic', False))
