#!/usr/bin/env bash
# End-to-end agent benchmark: `tarn run --once` tails a generated combined
# log with the default rules into the spool and a file sink, on one core
# (taskset -c 0) and on all cores. Prints lines/s, CPU seconds per million
# lines and peak RSS.
#
#   bash benchmarks/agent.sh              # 1M lines
#   N=3000000 bash benchmarks/agent.sh
#
# Needs GNU time and taskset.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/tarn" ./cmd/tarn
mkdir -p "$work/logs"
go run ./benchmarks/corpus/gen -kind combined -n "$N" -seed 1 >"$work/logs/access.log"
bytes=$(stat -c %s "$work/logs/access.log")
cat >"$work/tarn.yaml" <<CFG
data_dir: data
rules: builtin:default
inputs:
  - {name: web, type: file, paths: ["logs/*.log"], format: combined, start_at: beginning}
sinks:
  - {name: archive, type: file, path: out}
server: {listen: ""}
CFG

printf 'input: %d lines, %.1f MB, %d cores (%s)\n\n' "$N" "$(echo "$bytes/1000000" | bc -l)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-28s %8s %10s %14s %9s\n' run seconds lines/s "CPU s/1M lines" "RSS MiB"
run() {
  local name=$1
  shift
  rm -rf "$work/data" "$work/out"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" "$work/tarn" run --config "$work/tarn.yaml" --once --now 2026-11-21T00:00:00Z 2>"$work/log"
  read -r s u sys kb <"$work/time"
  got=$(cat "$work"/out/archive-*.log | wc -l)
  [ "$got" -eq "$N" ] || { echo "delivered $got of $N lines" >&2; exit 1; }
  printf '%-28s %8.2f %10.0f %14.2f %9.1f\n' "$name" "$s" "$(echo "$N/$s" | bc -l)" "$(echo "($u+$sys)*1000000/$N" | bc -l)" "$(echo "$kb/1024" | bc -l)"
}
run "tarn run --once (1 core)" taskset -c 0
run "tarn run --once (all cores)"
