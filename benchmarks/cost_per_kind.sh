#!/usr/bin/env bash
# Counts the instructions `tarn filter` spends per line on each of the
# twelve kinds of logs of the leak corpus (benchmarks/leakcorpus), with the
# default rules and --format auto, one worker, under callgrind (exact and
# repeatable on a busy machine, unlike wall time). Start-up cancels out:
# each kind is run on its first N/3 and on all N records and the
# difference is divided by the difference in lines. GOGC=off keeps the
# collector's timing out of the count.
#
#   bash benchmarks/cost_per_kind.sh                      # this checkout
#   BASE=/path/to/old/tarn bash benchmarks/cost_per_kind.sh  # and an older binary beside it
#
# Needs valgrind (apt-get install -y valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1500} # records per kind (the corpus runs out of unique names above about 2000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tarn" ./cmd/tarn
"$work/tarn" keygen >"$work/key" 2>/dev/null
count() { # binary file -> instructions
  GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$1" filter -j 1 --key-file "$work/key" --now 2026-11-28T00:00:00Z <"$2" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
perline() { # binary -> instructions per line of $work/small, $work/big
  local a z
  a=$(count "$1" "$work/small")
  z=$(count "$1" "$work/big")
  echo $(((z - a) / ($(wc -l <"$work/big") - $(wc -l <"$work/small"))))
}
printf '%-14s %8s' kind lines/rec
[ -n "${BASE:-}" ] && printf ' %10s' base
printf ' %10s\n' head
for k in nginx-access nginx-error apache-vhost caddy traefik llm-gateway go-logfmt auth-syslog mail-syslog cri stacktrace plain-text; do
  go run ./benchmarks/leakcorpus/gen -kind "$k" -n "$N" >"$work/big"
  go run ./benchmarks/leakcorpus/gen -kind "$k" -n "$((N / 3))" >"$work/small"
  printf '%-14s %8.2f' "$k" "$(echo "$(wc -l <"$work/big")/$N" | bc -l)"
  [ -n "${BASE:-}" ] && printf ' %10d' "$(perline "$BASE")"
  printf ' %10d\n' "$(perline "$work/tarn")"
done
