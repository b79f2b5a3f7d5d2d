from .arch_distribution_hook import (ArchDistributionHook, arch_distribution,
                                     plot_arch_history, read_arch_history)
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .channels_last_hook import ChannelsLastHook
from .checkpoint_match_hook import CheckpointMatchHook
from .derive_net_config_hook import DeriveNetConfigHook
from .dump_subnet_hook import DumpSubnetHook
from .epoch_seed_hook import EpochSeedHook

__all__ = [
    'ArchDistributionHook', 'AtomicCheckpointHook', 'ChannelsLastHook',
    'CheckpointMatchHook', 'DumpSubnetHook', 'DeriveNetConfigHook',
    'EpochSeedHook', 'arch_distribution', 'plot_arch_history',
    'read_arch_history'
]
