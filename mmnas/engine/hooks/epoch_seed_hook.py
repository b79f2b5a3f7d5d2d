"""Make a run resumed after a kill draw the same random numbers as the
run that was not interrupted."""
from mmengine.hooks import Hook
from mmengine.runner import set_random_seed

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
    ``num_workers=0`` or ``persistent_workers=False``. Does nothing when the
    run has no seed (``randomness.seed=None``).
    """

    priority = 'VERY_HIGH'

    def before_train_epoch(self, runner) -> None:
        if runner._randomness_cfg.get('seed') is None:
            return
        set_random_seed(runner.seed + 7919 * runner.epoch,
                        deterministic=runner._randomness_cfg.get(
                            'deterministic', False))
