"""Registries of scope ``mmnas``, children of mmcls' (and so of mmengine's).

Being children lets an mmnas config use every mmcls component (classifiers,
heads, losses, datasets, transforms, metrics) next to mmnas' own ones.
"""
from mmcls.registry import DATA_SAMPLERS as MMCLS_DATA_SAMPLERS
from mmcls.registry import DATASETS as MMCLS_DATASETS
from mmcls.registry import EVALUATORS as MMCLS_EVALUATORS
from mmcls.registry import HOOKS as MMCLS_HOOKS
from mmcls.registry import LOG_PROCESSORS as MMCLS_LOG_PROCESSORS
from mmcls.registry import LOOPS as MMCLS_LOOPS
from mmcls.registry import METRICS as MMCLS_METRICS
from mmcls.registry import MODELS as MMCLS_MODELS
from mmcls.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMCLS_OPTIM_WRAPPER_CONSTRUCTORS
from mmcls.registry import OPTIM_WRAPPERS as MMCLS_OPTIM_WRAPPERS
from mmcls.registry import OPTIMIZERS as MMCLS_OPTIMIZERS
from mmcls.registry import PARAM_SCHEDULERS as MMCLS_PARAM_SCHEDULERS
from mmcls.registry import RUNNER_CONSTRUCTORS as MMCLS_RUNNER_CONSTRUCTORS
from mmcls.registry import RUNNERS as MMCLS_RUNNERS
from mmcls.registry import TASK_UTILS as MMCLS_TASK_UTILS
from mmcls.registry import TRANSFORMS as MMCLS_TRANSFORMS
from mmcls.registry import VISBACKENDS as MMCLS_VISBACKENDS
from mmcls.registry import VISUALIZERS as MMCLS_VISUALIZERS
from mmcls.registry import WEIGHT_INITIALIZERS as MMCLS_WEIGHT_INITIALIZERS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import Registry

__all__ = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS',
    'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
    'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'TASK_UTILS', 'METRICS',
    'EVALUATORS', 'VISUALIZERS', 'VISBACKENDS'
]


def _child(name, parent, *locations):
    return Registry(
        name, parent=parent, scope='mmnas', locations=list(locations))


RUNNERS = _child('runner', MMCLS_RUNNERS, 'mmnas.engine')
RUNNER_CONSTRUCTORS = _child('runner constructor', MMCLS_RUNNER_CONSTRUCTORS,
                             'mmnas.engine')
LOOPS = _child('loop', MMCLS_LOOPS, 'mmnas.engine')
HOOKS = _child('hook', MMCLS_HOOKS, 'mmnas.engine')
LOG_PROCESSORS = _child('log processor', MMCLS_LOG_PROCESSORS, 'mmnas.engine')
OPTIMIZERS = _child('optimizer', MMCLS_OPTIMIZERS, 'mmnas.engine')
OPTIM_WRAPPERS = _child('optim wrapper', MMCLS_OPTIM_WRAPPERS, 'mmnas.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMCLS_OPTIM_WRAPPER_CONSTRUCTORS,
                                    'mmnas.engine')
PARAM_SCHEDULERS = _child('parameter scheduler', MMCLS_PARAM_SCHEDULERS,
                          'mmnas.engine')
DATASETS = _child('dataset', MMCLS_DATASETS, 'mmnas.datasets')
DATA_SAMPLERS = _child('data sampler', MMCLS_DATA_SAMPLERS, 'mmnas.datasets')
TRANSFORMS = _child('transform', MMCLS_TRANSFORMS, 'mmnas.datasets')
MODELS = _child('model', MMCLS_MODELS, 'mmnas.models')
# a direct child of mmengine's: the runner resolves 'mmnas.<Wrapper>' only
# one level below its root registry
MODEL_WRAPPERS = _child('model_wrapper', MMENGINE_MODEL_WRAPPERS,
                        'mmnas.models')
WEIGHT_INITIALIZERS = _child('weight initializer', MMCLS_WEIGHT_INITIALIZERS,
                             'mmnas.models')
TASK_UTILS = _child('task util', MMCLS_TASK_UTILS, 'mmnas.models',
                    'mmnas.estimators')
METRICS = _child('metric', MMCLS_METRICS)
EVALUATORS = _child('evaluator', MMCLS_EVALUATORS)
VISUALIZERS = _child('visualizer', MMCLS_VISUALIZERS)
VISBACKENDS = _child('vis_backend', MMCLS_VISBACKENDS)
