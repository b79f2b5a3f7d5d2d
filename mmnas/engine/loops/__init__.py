from .alternate_train_loop import AlternateEpochBasedTrainLoop
from .evolution_search_loop import EvolutionSearchLoop
from .ponas_table_loop import PONASTableLoop

__all__ = [
    'EvolutionSearchLoop', 'PONASTableLoop', 'AlternateEpochBasedTrainLoop'
]
