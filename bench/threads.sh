#!/usr/bin/env bash
# Where the CPU goes in a pub/sub workload: runs it on P (the raw proxy), on orisd (journal on,
# fsync batch), on P again with its messages padded to the bytes orisd delivered, and on padded
# P whose subscribers authenticate with PLAIN as orisd's do (`orisload proxy --plain`), and prints
# for each the CPU time per published item of every thread that works for it: the broker's main
# thread (orisd's loop, P's zmq_proxy), its libzmq I/O thread, its other threads, the subscriber
# process and the publisher process, from /proc (user + system). On a 2-core machine a workload
# is bound by the sum as much as by any one thread: these figures tell which part of the sum
# grows from P to orisd. Last comes `orisload forward`, the ceiling of orisd's protocol: its
# ingest frames in, its bytes out, none of its work between. Everything runs on 127.0.0.1, in a
# scratch folder of its own.
#
#   bench/threads.sh [--workload w1|w3] [--items N] [--runs R] [--orisd PATH] [--brokers LIST]
#     w1: 1 publisher, 1 subscriber (1,000,000 items by default)
#     w3: 100 topics, 1,000 subscriber connections with about 2,000 subscriptions (100,000)
#     --orisd: another build of orisd to measure (bench/parts.sh passes its own)
#     --brokers: which rows, in this order, from P,orisd,padded,padded+plain,forwarder (all by
#       default); padded P and the forwarder take orisd's delivered size, so orisd comes first
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
workload=w1; items=""; runs=1; orisd=.build/release/orisd; brokers=P,orisd,padded,padded+plain,forwarder
usage="usage: bench/threads.sh [--workload w1|w3] [--items N] [--runs R] [--orisd PATH] [--brokers LIST]"
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }
  case "$1" in
    --workload) workload=$2; shift;;
    --items) items=$2; shift;;
    --runs) runs=$2; shift;;
    --orisd) orisd=$(cd "$caller" && realpath -m -- "$2"); shift;;
    --brokers) brokers=$2; shift;;
    *) echo "$usage" >&2; exit 64;;
  esac; shift
done
for n in "$runs" "${items:-1}"; do
  case "$n" in ''|*[!0-9]*|0) echo "bench/threads.sh: --runs and --items take a positive number" >&2; exit 64;; esac
done
IFS=, read -r -a rows <<< "$brokers"
seen_orisd=0
for row in "${rows[@]}"; do
  case "$row" in
    orisd) seen_orisd=1;;
    P) ;;
    padded|padded+plain|forwarder)
      if [ "$seen_orisd" = 0 ]; then
        echo "bench/threads.sh: orisd must come before $row (it takes orisd's size)" >&2
        exit 64
      fi;;
    *) echo "bench/threads.sh: no broker $row (P, orisd, padded, padded+plain, forwarder)" >&2; exit 64;;
  esac
done
case "$workload" in
  w1) items=${items:-1000000}; topics=1; shape=(--conns 1);;
  w3) items=${items:-100000}; topics=100; shape=(--conns 1000 --mixed);;
  *) echo "bench/threads.sh: --workload is w1 or w3" >&2; exit 64;;
esac
./scripts/install-deps.sh >&2
. bench/w-orisd.sh
bench_scratch threads "$orisd"
tick_us=$((1000000 / $(getconf CLK_TCK)))

# "name-tid user system" for each thread of process $1 (clock ticks).
threads() { for t in /proc/"$1"/task/*; do echo "$(cat "$t/comm" | tr ' ' _)-${t##*/} $(cut -d' ' -f14,15 "$t/stat")"; done; }
# The ticks each thread spent between two readings: "name ticks".
spent() { join <(sort "$1") <(sort "$2") | awk '{print $1, $4 - $2 + $5 - $3}'; }

# One run on broker $1 (P, orisd or padded, with the message size $2 for padded); prints the
# row's figures and leaves orisd's delivered bytes in $scratch/bytes.
measure() {
  local subject=$1 pad=$2 dir="$scratch/$1" feed ingest pid sub as=() pubas=(--raw)
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$subject" = orisd ]; then
    start_orisd "$orisd" "$dir"
    pid=$orisd_pid; pids+=("$pid")
    as=(--as gip); pubas=(--as pub)
  else
    local mode=(proxy)
    [ "$subject" = "padded+plain" ] && mode+=(--plain) && as=(--as gip)
    # The forwarder takes orisd's frames under PLAIN, as orisd does, and delivers its bytes.
    [ "$subject" = forwarder ] && mode=(forward --pad-to "$pad") && as=(--as gip) && pubas=(--as pub)
    "$load" "${mode[@]}" --front tcp://127.0.0.1:0 --back tcp://127.0.0.1:0 --hwm 10000 > "$dir/out" &
    pid=$!; pids+=("$pid")
    for _ in $(seq 1 100); do grep -q READY "$dir/out" && break; sleep 0.1; done
    feed=$(sed -nE 's/.*back=([^ ]+).*/\1/p' "$dir/out"); ingest=$(sed -nE 's/.*front=([^ ]+).*/\1/p' "$dir/out")
    case "$subject" in padded*) pubas+=(--pad-to "$pad");; esac
  fi
  # The subscriber's CPU in all: what `time` reports at its end, less what it had spent when
  # it was ready (connecting, subscribing).
  local TIMEFORMAT='%U %S'
  ( time "$load" sub --connect "$feed" --n "$items" --topics "$topics" "${shape[@]}" "${as[@]}" \
      --ready "$dir/ready" --idle-s 10 > "$dir/sub.out" ) 2> "$dir/sub.time" &
  local wrapper=$!; pids+=("$wrapper")
  for _ in $(seq 1 600); do [ -f "$dir/ready" ] && break; sleep 0.1; done
  sub=$(pgrep -P "$wrapper" | head -1); pids+=("$sub")
  local before; before=$(cut -d' ' -f14,15 "/proc/$sub/stat" | awk '{print $1 + $2}')
  threads "$pid" > "$dir/b0"
  { time "$load" pub --connect "$ingest" --n "$items" --topics "$topics" "${pubas[@]}" \
      > /dev/null 2>&1; } 2> "$dir/pub.time"
  wait "$wrapper" || true
  threads "$pid" > "$dir/b1"
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  local result; result=$(grep RESULT "$dir/sub.out")
  local rate bytes; rate=$(echo "$result" | sed -E 's/.*e2e_rate=([0-9]+).*/\1/')
  bytes=$(echo "$result" | sed -E 's/.*msg_bytes=([0-9.]+).*/\1/')
  [ "$subject" = orisd ] && printf '%.0f\n' "$bytes" > "$scratch/bytes"
  spent "$dir/b0" "$dir/b1" > "$dir/broker"
  local main io other subscriber publisher
  main=$(awk '$1 !~ /^ZMQbg/ {if ($2 > m) m = $2} END {print m + 0}' "$dir/broker")
  io=$(awk '$1 ~ /^ZMQbg\/IO/ {s += $2} END {print s + 0}' "$dir/broker")
  other=$(awk -v m="$main" '$1 !~ /^ZMQbg\/IO/ {s += $2} END {print s - m}' "$dir/broker")
  subscriber=$(tail -1 "$dir/sub.time" | awk -v t="$(getconf CLK_TCK)" -v b="$before" '{printf "%d", ($1 + $2) * t - b}')
  publisher=$(tail -1 "$dir/pub.time" | awk -v t="$(getconf CLK_TCK)" '{printf "%d", ($1 + $2) * t}')
  awk -v s="$subject" -v r="$rate" -v b="$bytes" -v n="$items" -v u="$tick_us" \
      -v a="$main" -v i="$io" -v o="$other" -v c="$subscriber" -v p="$publisher" 'BEGIN {
    f = u / n
    printf "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", s, r, b, a * f, i * f, o * f, c * f, p * f,
      (a + i + o + c + p) * f }'
}

echo "$workload, $items items; CPU µs per published item (user + system; clock ticks of $tick_us µs)"
echo
echo "| broker | items or deliveries/s | bytes a message | main thread | I/O thread | other threads | subscriber | publisher | sum |"
echo "|---|---|---|---|---|---|---|---|---|"
for _ in $(seq 1 "$runs"); do
  for row in "${rows[@]}"; do
    case "$row" in
      P|orisd) measure "$row" 0;;
      *) measure "$row" "$(cat "$scratch/bytes")";;
    esac
  done
done
