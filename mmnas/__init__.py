"""mmnas: config-driven neural architecture search on mmengine/mmcls."""
from .version import __version__

__all__ = ['__version__']
