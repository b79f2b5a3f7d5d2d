"""The process-wide state a tool run leaves behind, and its removal.

mmengine keeps named global instances (loggers, message hubs, visualizers,
default scopes); a runner names them ``<config>_<second>``, and a logger's
console handler writes to the ``sys.stdout`` of the moment it was made. A
second run in the same process (a test, a notebook) would otherwise log
through the first run's handlers, to its streams and its work dir.
"""
import logging
from contextlib import contextmanager

from mmengine.utils import ManagerMixin

from . import progress


def _manager_classes():
    """ManagerMixin and all its subclasses (each has its own instances)."""
    seen, todo = [], [ManagerMixin]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen


def _std_loggers():
    """The root logger and every logger of ``logging.getLogger``."""
    loggers = [logging.getLogger()]
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            loggers.append(logger)
    return loggers


def snapshot() -> dict:
    """What exists now: mmengine's named instances, logging handlers and
    the ``--quiet`` switch."""
    return dict(
        instances={
            cls: dict(cls._instance_dict)
            for cls in _manager_classes()
        },
        handlers={logger: list(logger.handlers)
                  for logger in _std_loggers()},
        quiet=progress.is_quiet())


def _drop_handlers(logger, keep=()):
    for handler in list(logger.handlers):
        if handler not in keep:
            logger.removeHandler(handler)
            handler.close()


def restore(before: dict) -> None:
    """Remove what was created since ``before`` was taken (closing the
    handlers and visualizers); what existed then is kept."""
    from mmengine.visualization import Visualizer
    for cls in _manager_classes():
        kept = before['instances'].get(cls, {})
        for name, instance in list(cls._instance_dict.items()):
            if kept.get(name) is instance:
                continue
            del cls._instance_dict[name]
            if isinstance(instance, logging.Logger):
                _drop_handlers(instance)
            elif isinstance(instance, Visualizer):
                instance.close()
    for logger in _std_loggers():
        _drop_handlers(logger, keep=before['handlers'].get(logger, ()))
    progress.set_quiet(before['quiet'])


@contextmanager
def tool_run():
    """Run a tool so that the global state it creates ends with it."""
    before = snapshot()
    try:
        yield
    finally:
        restore(before)
