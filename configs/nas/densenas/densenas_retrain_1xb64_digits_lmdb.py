# densenas_retrain_1xb64_digits.py with the images read from LMDB; the
# loaders are those of configs/_base_/datasets/digits_bs64_lmdb.py.
#   python tools/dataset_converters/images_to_lmdb.py data/digits \
#       data/digits_lmdb
#   python tools/train.py \
#     configs/nas/densenas/densenas_retrain_1xb64_digits_lmdb.py \
#     --cfg-options model.backbone.net_config=<search work dir>/net_config.txt
_base_ = ['./densenas_retrain_1xb64_digits.py']

lmdb_root = 'data/digits_lmdb'

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
