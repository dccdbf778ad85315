#!/usr/bin/env bash
# Run a command with the local runner's environment (secrets, URLs), e.g. the tests.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_secrets
export KECHUANG_RUN_DIR="$RUN"
exec "$@"
