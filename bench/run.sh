#!/usr/bin/env bash
# ORIS Bus benchmarks: builds release binaries and prints one table, each figure beside a
# baseline measured in the same run (the disk's own fdatasync rate), median of the runs with
# min–max. Everything runs on 127.0.0.1 and in a scratch folder, and stops by itself.
#
#   bench/run.sh            3 runs, 100,000 acknowledged items per policy, recovery of 1,000,000
#   bench/run.sh --quick    1 run, a few thousand items (a smoke test, seconds)
#   bench/run.sh --runs 5 --items 200000 --recovery-items 1000000
#   BENCH_SCRATCH=/srv/disk bench/run.sh   (measure another disk: a folder is made inside it)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
swift build -c release --product orisd >&2
swift build -c release --product oris-bench >&2
# Always a fresh folder of our own (inside BENCH_SCRATCH when given), the only thing removed.
scratch="$(mktemp -d "${BENCH_SCRATCH:-/tmp}/oris-bench.XXXXXX")"
trap 'rm -rf -- "$scratch"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; disk of $scratch: $(df -h "$scratch" | awk 'NR==2 {print $1}')" >&2
.build/release/oris-bench .build/release/orisd "$scratch" "$@"
