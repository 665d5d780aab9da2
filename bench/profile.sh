#!/usr/bin/env bash
# Counts the instructions orisd spends per published item, with valgrind's callgrind (stable on
# a noisy machine, unlike a clock). Runs the release orisd under callgrind twice, publishing
# SMALL and then LARGE items through the ingest endpoint to one subscriber (journal on, fsync
# batch), and reports (Ir(LARGE) − Ir(SMALL)) / (LARGE − SMALL): start-up and shut-down cancel.
# Leaves the LARGE run's callgrind.out and its annotation in OUT (default: a scratch folder).
# With --api the items go through the api endpoint instead, each answered by an ACK (a DEALER,
# 256 in flight): the acknowledged path. Use it with --large 8000: runs of 12,000 lost about
# 1,000 deliveries under callgrind (the subscriber got about 11,000 and no more came).
#
#   bench/profile.sh [--small 2000] [--large 12000] [--out DIR] [--api]
set -euo pipefail
cd "$(dirname "$0")/.."
small=2000; large=12000; out=""; api=0
while [ $# -gt 0 ]; do
  case "$1" in
    --small) small=$2; shift;;
    --large) large=$2; shift;;
    --out) out=$2; shift;;
    --api) api=1;;
    *) echo "usage: bench/profile.sh [--small N] [--large N] [--out DIR] [--api]" >&2; exit 64;;
  esac; shift
done
command -v valgrind >/dev/null || { echo "valgrind is missing: scripts/install-deps.sh --with-peers" >&2; exit 1; }
swift build -c release --product orisd >&2
scratch="$(mktemp -d /tmp/oris-profile.XXXXXX)"
trap 'rm -rf -- "$scratch"' EXIT
out=${out:-$scratch}
mkdir -p "$out"
cc -O2 -Wall -o "$scratch/orisload" bench/orisload.c -lzmq -lpthread

# One run under callgrind; prints its total instruction count.
run() {
  local n=$1 dir="$scratch/run-$1"
  mkdir -p "$dir"
  cat > "$dir/orisd.json" <<JSON
{"state_dir": "$dir/state", "security": "none", "log_level": "info",
 "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"], "ingest": ["tcp://127.0.0.1:*"]},
 "journal": {"fsync": "batch", "batch_ms": 5},
 "tenants": [{"id": "bench", "themes": [{"id": "t000"}],
              "members": [{"id": "pub", "stratum": "capteur"}, {"id": "gip", "stratum": "gip"}]}]}
JSON
  # --fair-sched: the feed's I/O thread gets its turns even when the loop makes few system calls
  # (it writes the journal once per run of items), so that the feed's queue does not overflow.
  valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$dir/callgrind.out" \
    .build/release/orisd --config "$dir/orisd.json" 2>"$dir/stderr" &
  local pid=$!
  for _ in $(seq 1 600); do grep -q "msg=ready" "$dir/stderr" && break; sleep 0.1; done
  local ready feed ingest api_endpoint
  ready=$(grep "msg=ready" "$dir/stderr")
  feed=$(echo "$ready" | sed -E 's/.* feed=([^ ]+).*/\1/')
  ingest=$(echo "$ready" | sed -E 's/.* ingest=([^ ]+).*/\1/')
  api_endpoint=$(echo "$ready" | sed -E 's/.* api=([^ ]+).*/\1/')
  # Under callgrind an acknowledged item waits for its ACK's turn: allow longer pauses.
  local idle=30
  [ "$api" = 1 ] && idle=120
  "$scratch/orisload" sub --connect "$feed" --as gip --n "$n" --ready "$dir/ready" --idle-s "$idle" \
    --label "profile-$n" > "$dir/sub.out" &
  local sub=$!
  for _ in $(seq 1 600); do [ -f "$dir/ready" ] && break; sleep 0.1; done
  if [ "$api" = 1 ]; then
    "$scratch/orisload" apub --connect "$api_endpoint" --as pub --n "$n" --label "profile-$n" > "$dir/apub.out" \
      || { echo "profile run of $n was refused: $(cat "$dir/apub.out")" >&2; exit 1; }
  else
    "$scratch/orisload" pub --connect "$ingest" --as pub --n "$n" 2>/dev/null
  fi
  wait "$sub"
  kill -TERM "$pid"; wait "$pid" || true
  grep -q "loss=0 " "$dir/sub.out" || { echo "profile run of $n lost items: $(cat "$dir/sub.out")" >&2; exit 1; }
  callgrind_annotate "$dir/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
a=$(run "$small")
b=$(run "$large")
cp "$scratch/run-$large/callgrind.out" "$out/callgrind.out"
callgrind_annotate --inclusive=yes "$out/callgrind.out" > "$out/inclusive.txt" 2>/dev/null
callgrind_annotate "$out/callgrind.out" > "$out/self.txt" 2>/dev/null
what="published item"
[ "$api" = 1 ] && what="acknowledged item"
echo "instructions per $what: $(( (b - a) / (large - small) )) (Ir $small items: $a, $large items: $b)"
echo "annotations: $out/inclusive.txt, $out/self.txt"
