# imagenet_bs128_densenas.py read from LMDB through mmengine's LmdbBackend
# (as DenseNAS packs ImageNet, for IO speed): the same images, labels,
# augmentation and loaders. Pack the class folders first:
#   python tools/dataset_converters/images_to_lmdb.py data/imagenet \
#       data/imagenet_lmdb
# The datasets list their images from the annotation files (LmdbBackend
# cannot list a folder); data_root and data_prefix stay empty because the
# listed paths are the LMDB keys. Another location: change lmdb_root.
_base_ = ['./imagenet_bs128_densenas.py']

lmdb_root = 'data/imagenet_lmdb'

# the folder pipelines with LoadImageFromFile reading the split's LMDB
train_pipeline = [
    dict(
        type='LoadImageFromFile',
        backend_args=dict(backend='lmdb', db_path=f'{lmdb_root}/train.lmdb')),
    *_base_.train_pipeline[1:],
]
test_pipeline = [
    dict(
        type='LoadImageFromFile',
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
