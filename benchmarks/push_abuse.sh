#!/usr/bin/env bash
# The push receiver under abuse (issue 12): starts the real binary with a
# loki_push input and a file sink once per scenario, plays the scenario
# with benchmarks/pushabuse and prints the server's peak RSS (VmHWM).
#
#   bash benchmarks/push_abuse.sh               # builds ./cmd/tarn
#   TARN=/tmp/tarn-before bash benchmarks/push_abuse.sh
#
# Scenarios: 150 idle connections claiming 16 MiB bodies; 3,000 bodies sent
# one byte per second; hostile protobufs of 500 k (47 KB) and 8 M (750 KB)
# empty entries; 10,000 tiny pushes from 16 clients.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
TARN=${TARN:-}
if [ -z "$TARN" ]; then
  go build -o "$work/tarn" ./cmd/tarn
  TARN=$work/tarn
fi
go build -o "$work/pushabuse" ./benchmarks/pushabuse
addr=127.0.0.1:${PORT:-3517}
cat >"$work/tarn.yaml" <<CFG
data_dir: data
rules: builtin:default
inputs:
  - {name: push, type: loki_push, listen: "$addr", format: auto}
sinks:
  - {name: archive, type: file, path: out}
server: {listen: ""}
CFG

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(go version | cut -d' ' -f3)"
scenario() {
  local name=$1
  shift
  rm -rf "$work/data" "$work/out"
  "$TARN" run --config "$work/tarn.yaml" 2>"$work/log" &
  pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null && break
    sleep 0.1
  done
  local base
  base=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  echo "== $name"
  "$work/pushabuse" -addr "$addr" "$@" || true
  sleep 1
  awk -v base="$base" '/VmHWM/ {printf "peak RSS %.1f MiB (%.1f MiB after start)\n", $2/1024, base/1024}' "/proc/$pid/status"
  kill "$pid"
  wait "$pid" || true
  pid=
}
scenario "150 idle connections claiming 16 MiB bodies" -mode idle -n 150 -hold 10s
scenario "3000 slow bodies (1 byte/s)" -mode slow -n 3000 -hold ${SLOW_HOLD:-100s}
scenario "hostile protobuf, 500k empty entries" -mode hostile -n 500000
scenario "hostile protobuf, 8M empty entries" -mode hostile -n 8000000
scenario "10000 tiny pushes, 16 clients" -mode small -n 10000 -c 16
