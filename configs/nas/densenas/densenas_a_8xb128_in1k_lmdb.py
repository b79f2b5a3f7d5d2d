# DenseNAS-A retrained on ImageNet-1k as densenas_a_8xb128_in1k.py, with
# the images read from LMDB (as DenseNAS does, for IO speed) through
# configs/_base_/datasets/imagenet_bs128_densenas_lmdb.py. Pack the class
# folders first:
#   python tools/dataset_converters/images_to_lmdb.py data/imagenet \
#       data/imagenet_lmdb
_base_ = [
    '../../_base_/models/densenas_mbv2_in1k.py',
    '../../_base_/datasets/imagenet_bs128_densenas_lmdb.py',
    '../../_base_/schedules/imagenet_bs1024_densenas.py',
    '../../_base_/default_runtime.py',
]

model = dict(backbone=dict(net_config=_base_.densenas_a))
