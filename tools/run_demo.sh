#!/usr/bin/env bash
# The four SPOS steps on the embedded digits data, each one config and one
# command: supernet training -> evolution search -> subnet retraining -> test.
# Results go to work_dirs/demo/ (override with WORK=...).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
WORK=${WORK:-work_dirs/demo}
SUPERNET_EPOCHS=${SUPERNET_EPOCHS:-24}
SUBNET_EPOCHS=${SUBNET_EPOCHS:-12}
CFG=configs/nas/spos
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

step() { printf '\n=== %s ===\n' "$*"; }
quiet() { grep -v -E 'paramwise_options|Warning|warnings.warn' || true; }

step "data: writing scikit-learn digits as PNG folders"
$PYTHON tools/dataset_converters/prepare_digits.py --out data/digits

step "1/4 supernet training (SPOS: one path warm-started, then uniform single-path sampling)"
$PYTHON tools/train.py $CFG/spos_shufflenet_supernet_1xb64_digits.py \
    --work-dir $WORK/supernet \
    --cfg-options train_cfg.max_epochs=$SUPERNET_EPOCHS \
    train_cfg.val_interval=$SUPERNET_EPOCHS 2>&1 | quiet | tail -n 3
SUPERNET_CKPT=$WORK/supernet/epoch_$SUPERNET_EPOCHS.pth

step "2/4 evolution search under a FLOPs limit"
$PYTHON tools/train.py $CFG/spos_shufflenet_search_1xb64_digits.py \
    --work-dir $WORK/search \
    --cfg-options load_from=$SUPERNET_CKPT 2>&1 | quiet \
    | grep -E 'Generation|Search done' || true
SUBNET=$WORK/search/best_subnet.yaml

step "3/4 retraining the searched subnet from scratch"
$PYTHON tools/train.py $CFG/spos_shufflenet_subnet_1xb64_digits.py \
    --work-dir $WORK/subnet \
    --cfg-options model.subnet=$SUBNET train_cfg.max_epochs=$SUBNET_EPOCHS \
    train_cfg.val_interval=$SUBNET_EPOCHS 2>&1 | quiet | tail -n 2
SUBNET_CKPT=$WORK/subnet/epoch_$SUBNET_EPOCHS.pth

step "4/4 testing the retrained subnet"
$PYTHON tools/test.py $CFG/spos_shufflenet_subnet_1xb64_digits.py \
    $SUBNET_CKPT --work-dir $WORK/test --out $WORK/test/metrics.json \
    --cfg-options model.subnet=$SUBNET 2>&1 | quiet | tail -n 1

$PYTHON tools/analysis/get_flops.py \
    $CFG/spos_shufflenet_supernet_1xb64_digits.py --subnet $SUBNET \
    --shape 32 32 2>&1 | quiet || true

step "results"
echo "supernet checkpoint : $SUPERNET_CKPT"
echo "search log          : $WORK/search/search_log.jsonl"
echo "searched subnet     : $SUBNET"
echo "retrained subnet    : $SUBNET_CKPT"
$PYTHON - "$WORK/search/search_log.jsonl" "$WORK/test/metrics.json" <<'PY'
import json, statistics, sys
scores = [json.loads(line)['score'] for line in open(sys.argv[1])]
m = json.load(open(sys.argv[2]))
print(f"supernet, BN-recalibrated val top-1 of the {len(scores)} subnets "
      f"the search scored: median {statistics.median(scores):.2f}%, "
      f"best {max(scores):.2f}%")
print(f"test top-1 of the retrained searched subnet: "
      f"{m['accuracy/top1']:.2f}%")
PY
