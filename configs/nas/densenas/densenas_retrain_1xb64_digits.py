# DenseNAS step 2 on the digits data: train the derived network from
# scratch. net_config is the file the search wrote (or a net_config string):
#   python tools/train.py \
#     configs/nas/densenas/densenas_retrain_1xb64_digits.py --cfg-options \
#     model.backbone.net_config=<search work dir>/net_config.txt
_base_ = [
    '../../_base_/models/densenas_mbv2_digits.py',
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/schedules/digits_bs64_cosine.py',
    '../../_base_/default_runtime.py',
]

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=5, max_keep_ckpts=1))
randomness = dict(seed=0)
# the step that writes the net_config file (the search)
written_by = {
    'model.backbone.net_config':
    'python tools/train.py '
    'configs/nas/densenas/densenas_mbv2_search_1xb32_digits.py'
}
