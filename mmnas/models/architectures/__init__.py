from .densenas_net import DenseNASNet
from .densenas_supernet import DenseNASSupernet
from .ponas import SearchablePONAS
from .searchable_mobilenet import SearchableMobileNet
from .searchable_quant_resnet import SearchableQuantResNet
from .searchable_shufflenet_v2 import SearchableShuffleNetV2

__all__ = [
    'SearchableShuffleNetV2', 'SearchablePONAS', 'SearchableMobileNet',
    'DenseNASNet', 'DenseNASSupernet', 'SearchableQuantResNet'
]
