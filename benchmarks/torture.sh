#!/usr/bin/env bash
# The torture run of the real agent (benchmarks/README.md, "torture"):
# builds tarn, writes sequence-tagged lines while killing the agent,
# rotating logs, killing Loki and filling the spool's disk, then counts
# what was lost or duplicated. Exits 1 if any line was lost.
#
#   bash benchmarks/torture.sh                         # 200,000 lines, 25 kills
#   bash benchmarks/torture.sh -short                  # 20,000 lines, 8 kills
#   bash benchmarks/torture.sh -phases spool-full -keep
#
# Run as root for the spool-full phase (it mounts a tmpfs); the Loki phases
# use the cached Loki test binary (go run ./sinks/loki/lokitest/lokibuild)
# or TARN_LOKI_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./benchmarks/torture "$@"
