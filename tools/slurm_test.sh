#!/usr/bin/env bash
# Usage: [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5] tools/slurm_test.sh \
#            PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
exec "$(dirname "$0")/srun.sh" "$1" "$2" test.py "$3" "$4" \
    --launcher=slurm "${@:5}"
