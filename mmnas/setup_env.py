"""Process setup that needs every mmnas package: filling the registries."""
import datetime
import warnings

from mmengine import DefaultScope

from mmnas.utils import allow_mmengine_checkpoint_globals


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
    import mmnas.evaluation  # noqa: F401,F811
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
