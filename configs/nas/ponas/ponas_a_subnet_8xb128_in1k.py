# PONAS-A retrained from scratch on ImageNet: the supernet of
# ponas_supernet_8xb128_in1k.py fixed to PONAS_A.yaml (a static network).
_base_ = ['./ponas_supernet_8xb128_in1k.py']

model = dict(
    _delete_=True,
    type='SubnetModel',
    architecture={{_base_.supernet}},
    subnet='configs/nas/ponas/PONAS_A.yaml')
model_wrapper_cfg = None
