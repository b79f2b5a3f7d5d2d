# digits_bs64.py read from LMDB through mmengine's LmdbBackend: the same
# images, labels, augmentation and loaders. Pack the folders first:
#   python tools/dataset_converters/images_to_lmdb.py data/digits \
#       data/digits_lmdb
# The datasets list their images from the annotation files (LmdbBackend
# cannot list a folder); data_root and data_prefix stay empty because the
# listed paths are the LMDB keys. Another location: change lmdb_root.
_base_ = ['./digits_bs64.py']

lmdb_root = 'data/digits_lmdb'

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
        metainfo=dict(classes=f'{lmdb_root}/classes.txt'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root='',
        data_prefix='',
        ann_file=f'{lmdb_root}/val.txt',
        metainfo=dict(classes=f'{lmdb_root}/classes.txt'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# the train split without augmentation, for BN re-estimation in searches
calibrate_dataloader = dict(
    dataset=dict(
        data_root='',
        data_prefix='',
        ann_file=f'{lmdb_root}/train.txt',
        metainfo=dict(classes=f'{lmdb_root}/classes.txt'),
        pipeline=[train_pipeline[0], *_base_.test_pipeline[1:]]))
