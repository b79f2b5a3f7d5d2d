#!/usr/bin/env bash
# Usage: tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args...]
# Nodes and backend as for dist_train.sh.
exec "$(dirname "$0")/torchrun.sh" "$3" test.py "$1" "$2" \
    --launcher pytorch "${@:4}"
