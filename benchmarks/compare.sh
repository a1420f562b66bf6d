#!/usr/bin/env bash
# Times tarn against its peers on the same generated combined log, in one run:
# cat, sed truncating IPv4, anonip, `tarn filter` in anonip mode and with the
# default rules, on one core (taskset -c 0) and on all cores.
#
#   bash benchmarks/compare.sh            # 1M lines
#   N=4300000 bash benchmarks/compare.sh  # about 1 GB, for the peak-RSS target
#
# Needs anonip (apt-get install -y anonip), GNU time and taskset.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/tarn" ./cmd/tarn
go run ./benchmarks/corpus/gen -kind combined -n "$N" -seed 1 >"$work/in.log"
"$work/tarn" keygen >"$work/key"
bytes=$(stat -c %s "$work/in.log")
now=2026-11-21T00:00:00Z
one="taskset -c 0"

printf 'input: %d lines, %.1f MB, %d cores (%s)\n\n' "$N" "$(echo "$bytes/1000000" | bc -l)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-34s %8s %12s %9s %10s\n' command seconds lines/s MB/s "RSS MiB"

declare -A secs
run() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" <"$work/in.log" >"$work/out" 2>/dev/null
  read -r s kb <"$work/time"
  secs[$name]=$s
  printf '%-34s %8.2f %12.0f %9.1f %10.1f\n' "$name" "$s" "$(echo "$N/$s" | bc -l)" "$(echo "$bytes/$s/1000000" | bc -l)" "$(echo "$kb/1024" | bc -l)"
}

run "cat" $one cat
run "sed (IPv4 /24)" $one sed -E 's/^([0-9]+\.[0-9]+\.[0-9]+)\.[0-9]+ /\1.0 /'
if command -v anonip >/dev/null; then run "anonip" $one anonip; fi
run "tarn filter --anonip (1 core)" $one "$work/tarn" filter --anonip -j 1
run "tarn filter --anonip (all cores)" "$work/tarn" filter --anonip
run "tarn filter default (1 core)" $one "$work/tarn" filter --key-file "$work/key" --now $now -j 1
run "tarn filter default (all cores)" "$work/tarn" filter --key-file "$work/key" --now $now

ratio() { printf '%-52s %6.1fx\n' "$1" "$(echo "${secs[$2]}/${secs[$3]}" | bc -l)"; }
echo
[ -n "${secs[anonip]:-}" ] && ratio "anonip mode (1 core) vs anonip:" anonip "tarn filter --anonip (1 core)"
ratio "anonip mode (1 core) vs sed:" "sed (IPv4 /24)" "tarn filter --anonip (1 core)"
ratio "default rules: all cores vs 1 core:" "tarn filter default (1 core)" "tarn filter default (all cores)"
ratio "anonip mode: all cores vs 1 core:" "tarn filter --anonip (1 core)" "tarn filter --anonip (all cores)"
