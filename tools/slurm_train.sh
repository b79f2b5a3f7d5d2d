#!/usr/bin/env bash
# Usage: [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5] tools/slurm_train.sh \
#            PARTITION JOB_NAME CONFIG WORK_DIR [train.py args...]
exec "$(dirname "$0")/srun.sh" "$1" "$2" train.py "$3" --work-dir="$4" \
    --launcher=slurm "${@:5}"
