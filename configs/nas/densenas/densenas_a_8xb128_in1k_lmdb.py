# DenseNAS-A retrained on ImageNet-1k as densenas_a_8xb128_in1k.py, with
# the images read from LMDB (as DenseNAS does, for IO speed); the loaders
# are those of configs/_base_/datasets/imagenet_bs128_densenas_lmdb.py.
# Pack the class folders first:
#   python tools/dataset_converters/images_to_lmdb.py data/imagenet \
#       data/imagenet_lmdb
_base_ = ['./densenas_a_8xb128_in1k.py']

lmdb_root = 'data/imagenet_lmdb'

train_pipeline = [
    dict(type='LoadImageFromFile',
         backend_args=dict(backend='lmdb', db_path=f'{lmdb_root}/train.lmdb')),
    *_base_.train_pipeline[1:],
]
test_pipeline = [
    dict(type='LoadImageFromFile',
         backend_args=dict(backend='lmdb', db_path=f'{lmdb_root}/val.lmdb')),
    *_base_.test_pipeline[1:],
]

train_dataloader = dict(
    dataset=dict(
        data_root='',
        data_prefix='',
        ann_file=f'{lmdb_root}/train.txt',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root='',
        data_prefix='',
        ann_file=f'{lmdb_root}/val.txt',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
