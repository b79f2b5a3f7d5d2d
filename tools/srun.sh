#!/usr/bin/env bash
# Run tools/SCRIPT as a Slurm job step of GPUS tasks; what slurm_train.sh
# and slurm_test.sh share. Set GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK
# (5) and SRUN_ARGS (extra srun options) in the environment.
# Usage: tools/srun.sh PARTITION JOB_NAME SCRIPT [SCRIPT args...]
set -x
DIR="$(cd "$(dirname "$0")" && pwd)"

PYTHONPATH="$DIR/..":$PYTHONPATH \
exec srun -p "$1" \
    --job-name="$2" \
    --gres=gpu:"${GPUS_PER_NODE:-8}" \
    --ntasks="${GPUS:-8}" \
    --ntasks-per-node="${GPUS_PER_NODE:-8}" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    python -u "$DIR/$3" "${@:4}"
