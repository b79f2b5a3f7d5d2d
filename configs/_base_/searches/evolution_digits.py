# The SPOS evolution search at digits scale (CPU minutes): 4 generations of
# 10 candidates, BN re-estimated on 4 training batches per candidate. A
# search config puts it in its train_cfg with the data and the constraint:
#   train_cfg = dict(_delete_=True, **_base_.evolution_search,
#                    dataloader=..., evaluator=...,
#                    calibrate_dataloader=..., constraints_range=...)
evolution_search = dict(
    type='EvolutionSearchLoop',
    calibrate_bn_iters=4,
    max_epochs=4,
    num_candidates=10,
    top_k=3,
    num_mutation=4,
    num_crossover=4,
    mutate_prob=0.1,
    # the costs constraints_range bounds; FLOPs convention 'macs', 'fvcore'
    # or 'mmrazor' (MMRazor's). For a latency constraint make it a list
    # with dict(type='LatencyTable', table=<build_latency_lut.py file>).
    estimator=dict(
        type='CostTable', input_shape=(1, 3, 32, 32), convention='macs'),
    score_key='accuracy/top1',
    seed=0,
)
