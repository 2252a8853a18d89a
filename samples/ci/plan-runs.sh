#!/usr/bin/env bash
# Prints a suite's runs as one JSON array, one element per `chaos run` (docs/ci.md): name, scenario, seed, duration,
# in the order `chaos run --suite` makes them. A CI job turns it into a build matrix, one job per run.
#
#   samples/ci/plan-runs.sh SUITE [CHAOS...]
#
# CHAOS: how to call the CLI (default: the Release build in this repository, `dotnet <chaos.dll>`; for the .NET tool,
# `chaos`). Needs jq. Exit 2 when the suite is not in the catalogue.
set -euo pipefail
suite="${1:?usage: plan-runs.sh SUITE [CHAOS...]}"
shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -eq 0 ]; then set -- dotnet "$root/src/Scenarios/bin/Release/net10.0/chaos.dll"; fi
catalogue=$("$@" list --json)
if ! jq -e --arg suite "$suite" 'any(.suites[]; .name == $suite)' <<< "$catalogue" > /dev/null; then
  echo "plan-runs.sh: no suite '$suite' in the catalogue ($(jq -r '[.suites[].name] | join(", ")' <<< "$catalogue"))" >&2
  exit 2
fi
jq -c --arg suite "$suite" \
  '[.suites[] | select(.name == $suite) | .runs[] | {name: "\(.scenario)-seed\(.seed)", scenario, seed, duration}]' <<< "$catalogue"
