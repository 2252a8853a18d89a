#!/usr/bin/env bash
# Per-process CPU share of a running Chaos deployment over a window: the harness (`chaos run`), the embedded Kafka
# host (`chaos kafka`) and every reference-system role instance, as % of one core (200 % = both cores of a 2-core
# machine). Reads /proc/<pid>/stat (utime + stime) at the start and the end of the window; Linux only.
#
#   dotnet run -c Release --project src/Scenarios -- run steady-state --duration 40s --out /tmp/cap &
#   sleep 45; tests/Benchmarks/Load/process-cpu.sh 15
#
# docs/load.md ("Loaded runs") has the figures measured with it.
set -euo pipefail
window="${1:-15}"
hz=$(getconf CLK_TCK)
declare -A before
snapshot() {
  for pid in $(pgrep -f "Reference.System.dll|chaos.dll (run|kafka)|/chaos (run|kafka)" || true); do
    [ -r "/proc/$pid/stat" ] || continue
    read -r -a f < "/proc/$pid/stat" || continue
    echo "$pid $(( f[13] + f[14] ))"
  done
}
while read -r pid ticks; do before[$pid]=$ticks; done < <(snapshot)
sleep "$window"
total=0
while read -r pid ticks; do
  [ -n "${before[$pid]:-}" ] || continue
  name=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -oE -- "--instance [a-z]+-[0-9]+|chaos(\.dll)? (run|kafka)" | head -n 1 | sed 's/--instance //; s/chaos.dll/chaos/')
  used=$(( ticks - before[$pid] ))
  total=$(( total + used ))
  printf "%6.1f%%  %s\n" "$(echo "scale=1; $used * 100 / $hz / $window" | bc)" "${name:-pid $pid}"
done < <(snapshot) | sort -rn
