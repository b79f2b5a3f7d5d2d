# The SPOS evolution search on ImageNet (SPOS paper / MMRazor settings):
# 20 generations of 50 candidates, 25 mutants and 25 crossovers of the top
# 10, BN re-estimated on 200 training batches per candidate. A search
# config puts it in its train_cfg with the data and the constraint:
#   train_cfg = dict(_delete_=True, **_base_.evolution_search,
#                    dataloader=..., evaluator=...,
#                    calibrate_dataloader=..., constraints_range=...)
evolution_search = dict(
    type='EvolutionSearchLoop',
    calibrate_bn_iters=200,
    max_epochs=20,
    num_candidates=50,
    top_k=10,
    num_mutation=25,
    num_crossover=25,
    mutate_prob=0.1,
    # the costs constraints_range bounds; FLOPs convention 'macs', 'fvcore'
    # or 'mmrazor' (MMRazor's). For a latency constraint make it a list
    # with dict(type='LatencyTable', table=<build_latency_lut.py file>).
    estimator=dict(
        type='CostTable', input_shape=(1, 3, 224, 224), convention='macs'),
    score_key='accuracy/top1',
    seed=0,
)
