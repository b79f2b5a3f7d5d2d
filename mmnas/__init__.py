"""mmnas: config-driven neural architecture search on mmengine/mmcls."""
__version__ = '0.1.0'
