#!/usr/bin/env bash
# Run tools/SCRIPT in GPUS processes per node with torchrun; what
# dist_train.sh and dist_test.sh share. Several nodes: set NNODES,
# NODE_RANK, MASTER_ADDR (and PORT). Without CUDA the processes use the
# gloo backend on the CPU.
# Usage: tools/torchrun.sh GPUS SCRIPT [SCRIPT args...]
set -e
GPUS=$1
SCRIPT=$2
DIR="$(cd "$(dirname "$0")" && pwd)"

PYTHONPATH="$DIR/..":$PYTHONPATH \
exec ${PYTHON:-python} -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$GPUS" \
    --master_port="${PORT:-29500}" \
    "$DIR/$SCRIPT" "${@:3}"
