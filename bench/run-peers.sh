#!/usr/bin/env bash
# Measures orisd in the same run as the peers of ../shared/bench-peers (raw zmq_proxy, the C
# sequencing broker, NATS, Redis, Mosquitto): copies that harness to a scratch folder (it builds
# and writes beside itself), adds orisd through bench/orisd-peer.sh, and runs it. Loopback only.
#
#   bench/run-peers.sh [run-peers.sh options]   e.g. --reps 3, --quick, --no-disk,
#       --peers "zmq-proxy zmq-seq-journal orisd orisd-acked orisd-ceiling orisd-ceiling-acked nats redis
#                mqtt-qos0 mqtt-qos1"
set -euo pipefail
cd "$(dirname "$0")/.."
peers_src=../shared/bench-peers
[ -d "$peers_src" ] || { echo "run-peers: $peers_src is missing" >&2; exit 1; }
./scripts/install-deps.sh --with-peers
swift build -c release --product orisd >&2
scratch="$(mktemp -d /tmp/oris-peers.XXXXXX)"
cp -r "$peers_src" "$scratch/bench-peers"
cc -O2 -Wall -o "$scratch/orisload" bench/orisload.c -lzmq -lpthread
args=("$@")
# orisd is measured unless --peers names others: options such as --reps alone keep the default list.
[[ " ${args[*]-} " == *" --peers "* ]] \
  || args+=(--peers "zmq-proxy zmq-seq-journal orisd orisd-acked orisd-ceiling orisd-ceiling-acked nats redis \
mqtt-qos0 mqtt-qos1")
echo "run-peers: harness and results in $scratch/bench-peers" >&2
EXTRA_PEERS_SH="$PWD/bench/orisd-peer.sh" ORISD_BIN="$PWD/.build/release/orisd" ORISLOAD="$scratch/orisload" \
  OUT="$scratch/results" "$scratch/bench-peers/run-peers.sh" "${args[@]}"
