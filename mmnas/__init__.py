"""mmnas: config-driven neural architecture search on mmengine/mmcls."""
from .setup_env import register_all_modules
from .version import __version__

__all__ = ['__version__', 'register_all_modules']
