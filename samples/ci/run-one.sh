#!/usr/bin/env bash
# Runs one run of a planned suite (plan-runs.sh) into reports/<scenario>-seed<seed>/ and exits with chaos's own code:
# 0 every promise held, 1 a promise broke, 2 the run could not be carried out or decided (docs/running.md).
#
#   samples/ci/run-one.sh SCENARIO SEED DURATION [CHAOS...]
#
# CHAOS_LOAD: extra `chaos run` options, e.g. "--rate 75 --users 125" on a 2-core runner (docs/ci.md, "Load");
# CHAOS_OUT: the reports folder (default reports). CHAOS: how to call the CLI, as in plan-runs.sh.
set -euo pipefail
scenario="${1:?usage: run-one.sh SCENARIO SEED DURATION [CHAOS...]}"
seed="${2:?usage: run-one.sh SCENARIO SEED DURATION [CHAOS...]}"
duration="${3:?usage: run-one.sh SCENARIO SEED DURATION [CHAOS...]}"
shift 3
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -eq 0 ]; then set -- dotnet "$root/src/Scenarios/bin/Release/net10.0/chaos.dll"; fi
read -r -a load <<< "${CHAOS_LOAD:-}"
out="${CHAOS_OUT:-reports}/$scenario-seed$seed"
exec "$@" run "$scenario" --seed "$seed" --duration "$duration" --out "$out" "${load[@]}"
