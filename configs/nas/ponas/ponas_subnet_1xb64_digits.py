# PONAS step 4 on the digits data: retrain a deployed subnet from scratch
# (a static network: the digits supernet fixed to the subnet file).
#   python tools/ponas_deploy.py \
#       work_dirs/ponas_table_digits/ponas_table.json \
#       --constraint flops=1.25M \
#       --out work_dirs/ponas_table_digits/deployed.yaml
#   python tools/train.py configs/nas/ponas/ponas_subnet_1xb64_digits.py
_base_ = [
    './ponas_supernet_1xb64_digits.py',
    '../../_base_/schedules/digits_warmup.py',
]

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='work_dirs/ponas_table_digits/deployed.yaml')
written_by = {
    'model.subnet':
    'python tools/ponas_deploy.py work_dirs/ponas_table_digits/'
    'ponas_table.json --constraint flops=1.25M '
    '--out work_dirs/ponas_table_digits/deployed.yaml'
}
model_wrapper_cfg = None

optim_wrapper = dict(optimizer=dict(lr=0.1))
param_scheduler = [
    _base_.digits_warmup,
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=1,
        end=6,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=6, val_interval=3)
