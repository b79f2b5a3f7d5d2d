"""Process-wide setup: registering mmnas modules and making mmengine
checkpoints load under torch's ``weights_only`` default (torch >= 2.6)."""
import datetime
import warnings

import numpy as np
import torch
from mmengine import DefaultScope


def allow_mmengine_checkpoint_globals() -> None:
    """Allow-list the (harmless) classes mmengine pickles into checkpoints
    (message hub history buffers, numpy scalars/arrays), so resuming works
    with ``weights_only=True`` loading. The check itself stays on."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is None:  # torch < 2.4 loads without weights_only by default
        return
    from mmengine.logging import HistoryBuffer

    # HistoryBuffer pickles its statistics as getattr(HistoryBuffer, 'min');
    # the weights-only unpickler still refuses to *call* anything that is
    # not allow-listed, so getattr can only look attributes up.
    safe = [HistoryBuffer, getattr, np.ndarray, np.dtype, datetime.datetime]
    try:
        safe.append(np._core.multiarray._reconstruct)
        safe.append(np._core.multiarray.scalar)
    except AttributeError:  # numpy 1.x
        safe.append(np.core.multiarray._reconstruct)
        safe.append(np.core.multiarray.scalar)
    safe += [
        type(np.dtype(t)) for t in (np.float64, np.float32, np.int64, np.int32,
                                    np.bool_, np.uint8)
    ]
    add(safe)


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmnas (and mmcls) module so their registries are full,
    and make ``mmnas`` the default scope.

    Args:
        init_default_scope (bool): Set the default scope to ``mmnas``.
    """
    import mmcls.utils
    mmcls.utils.register_all_modules(init_default_scope=False)
    import mmnas.datasets  # noqa: F401,F811
    import mmnas.engine  # noqa: F401,F811
    import mmnas.estimators  # noqa: F401,F811
    import mmnas.models  # noqa: F401,F811
    allow_mmengine_checkpoint_globals()
    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('mmnas')
        if never_created:
            DefaultScope.get_instance('mmnas', scope_name='mmnas')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'mmnas':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "mmnas", '
                          '`register_all_modules` will force the current'
                          'default scope to be "mmnas". If this is not '
                          'expected, please set `init_default_scope=False`.')
            new_instance_name = f'mmnas-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='mmnas')
