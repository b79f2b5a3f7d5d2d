from .checkpoint_io import (AtomicLocalBackend, CheckpointError,
                            allow_mmengine_checkpoint_globals)
from .errors import UserError, cli_main, suggest
from .io import atomic_dir, atomic_open, atomic_write
from .progress import Progress, is_quiet, set_quiet, track

__all__ = [
    'UserError', 'cli_main', 'suggest', 'atomic_dir', 'atomic_open',
    'atomic_write', 'allow_mmengine_checkpoint_globals', 'Progress', 'track',
    'set_quiet', 'is_quiet', 'AtomicLocalBackend', 'CheckpointError'
]
