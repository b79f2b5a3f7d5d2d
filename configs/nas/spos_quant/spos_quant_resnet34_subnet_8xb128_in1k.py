# SPOS quantization steps 3 and 4 for ResNet-34: the ResNet-18 retraining
# config with the ResNet-34 layout and the ResNet-34 search's subnet
# (RESNET34_W{2,3,4}A{2,3,4}.yaml beside this file are the uniform ones).
_base_ = ['./spos_quant_resnet18_subnet_8xb128_in1k.py']

model = dict(
    architecture=dict(backbone=dict(depth=34)),
    subnet='work_dirs/spos_quant_resnet34_search_8xb128_in1k/'
    'best_subnet.yaml')
# the step that writes model.subnet (step 2, the search)
written_by = {
    'model.subnet':
    'python tools/train.py '
    'configs/nas/spos_quant/spos_quant_resnet34_search_8xb128_in1k.py '
    '--cfg-options load_from=<step-1 checkpoint>'
}
