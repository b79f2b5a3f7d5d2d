#!/usr/bin/env bash
# Usage: tools/dist_train.sh CONFIG GPUS [train.py args...]
# One node with torchrun; several nodes: set NNODES, NODE_RANK, MASTER_ADDR.
# Without CUDA the processes use the gloo backend on the CPU.
exec "$(dirname "$0")/torchrun.sh" "$2" train.py "$1" --launcher pytorch \
    "${@:3}"
