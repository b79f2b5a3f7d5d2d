# SPOS quantization step 1 on the embedded digits data (CPU-sized): the
# ResNet-18 quantization space at quarter width with the small-input stem
# (3x3, stride 1, no max pool) for 32x32 inputs. Every body and shortcut
# conv draws its weight and input bit widths from {2, 3, 4} at every step;
# the stem conv and the classifier stay at 8 bits.
_base_ = [
    '../../_base_/models/cls_heads.py',
    '../../_base_/datasets/digits_bs64.py',
    '../../_base_/schedules/digits_bs64_supernet.py',
    '../../_base_/default_runtime.py',
]

supernet = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='SearchableQuantResNet',
        depth=18,
        # no 1-bit widths at digits scale (the in1k configs have them): a
        # 1-bit layer works with the supernet's weights but a 20-epoch
        # retraining from scratch cannot train it, and the supernet's
        # scores cannot see that (docs/algorithms/spos_quantization.md)
        w_bits=(2, 3, 4),
        a_bits=(2, 3, 4),
        # one PACT clip and one BN per bit width: the supernet scores
        # subnets about 10 points higher than with shared ones
        # (docs/algorithms/spos_quantization.md)
        a_quantizer=dict(type='PACTQuantizer', per_bit=True),
        per_bit_bn=True,
        widen_factor=0.25,
        small_input=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(_base_.digits_head, type='QuantLinearClsHead', in_channels=128),
)

# every bit width of a conv fake-quantizes one shared float weight, so no
# warm start is needed to align candidates: trained from scratch the
# supernet scores subnets far above chance (docs/algorithms/
# spos_quantization.md)
model = dict(type='SPOS', architecture=supernet)

# 48 epochs, twice the digits supernet schedule: 38 decisions of 3 choices
# each share one weight per conv
train_cfg = dict(max_epochs=48, val_interval=48)
param_scheduler = [
    dict(
        type='PolyLR',
        power=1.0,
        eta_min=0.0,
        by_epoch=True,
        begin=0,
        end=48,
        convert_to_iter_based=True),
]
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)

# lr 0.02, not the 0.1 of the digits schedule: this ResNet at lr 0.1 trains
# slowly at digits scale (the uniform 3W3A subnet: 25.6 % top-1 after 5
# epochs at 0.1, 74.4 % after 6 at 0.02; docs/algorithms/
# spos_quantization.md)
optim_wrapper = dict(optimizer=dict(lr=0.02))

default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
