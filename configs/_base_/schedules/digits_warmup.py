# The first phase of every digits retraining schedule: one epoch of linear
# warm-up from lr/10. A cold start at lr 0.1 loses some seeds of short
# stand-alone schedules (docs/benchmarks.md, Search quality). A config
# lists it first: param_scheduler = [_base_.digits_warmup, <decay from 1>].
digits_warmup = dict(
    type='LinearLR',
    start_factor=0.1,
    by_epoch=True,
    begin=0,
    end=1,
    convert_to_iter_based=True)
