#!/usr/bin/env bash
# ORIS Bus benchmarks (issue 7): builds release binaries and the C load generator, then runs
# every workload on the reference P (a raw libzmq XSUB/XPUB proxy, bench/orisload.c) and on orisd
# (started with a configuration written for the run: journal on, fsync batch), and prints one
# table: medians of the runs with min–max, each figure beside P's measured in the same run.
# Beside the asked latency rows (orisd against P at 10,000 items/s) come two baselines that explain
# them: P beside a neighbour (`orisload syncer`) that writes and fdatasyncs the scratch folder's
# disk as orisd's journal does under fsync batch, and orisd with its journal on but fsync never.
# Everything runs on 127.0.0.1 and in a scratch folder of its own, and stops by itself.
#
#   bench/run.sh            3 runs (W3: 5), W1 of 1,000,000 items, recovery of 1,000,000
#   bench/run.sh --quick    1 run, a few thousand items (a smoke test, seconds)
#   bench/run.sh --runs 5 --w3-runs 7 --items 200000 --recovery-items 1000000 --only w1,w3
#   bench/run.sh --runs 4 --only latency --batch-ms 5    (latency rows only; orisd's batch_ms, 10 by default)
#   BENCH_SCRATCH=/srv/disk bench/run.sh   (measure another disk: a folder is made inside it)
# The peers (NATS, Redis, Mosquitto) are measured beside orisd by bench/run-peers.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
swift build -c release --product orisd >&2
swift build -c release --product oris-bench >&2
# Always a fresh folder of our own (inside BENCH_SCRATCH when given), the only thing removed.
scratch="$(mktemp -d "${BENCH_SCRATCH:-/tmp}/oris-bench.XXXXXX")"
trap 'rm -rf -- "$scratch"' EXIT
cc -O2 -Wall -o "$scratch/orisload" bench/orisload.c -lzmq -lpthread
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB;" \
  "disk of $scratch: $(df -h "$scratch" | awk 'NR==2 {print $1}'); libzmq $(pkg-config --modversion libzmq)" >&2
.build/release/oris-bench .build/release/orisd "$scratch" --load "$scratch/orisload" "$@"
