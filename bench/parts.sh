#!/usr/bin/env bash
# What each part of orisd's work costs a pub/sub workload as a whole: W1 (or W3) through orisd
# whole, then with its journal left out, then with all its work left out (the frames received,
# the sender looked up, the same delivered bytes sent), beside P (the raw proxy) and the
# forwarder (orisd's frames and bytes, no work) in the same round. On two cores every thread
# of the broker, the publisher and the subscriber share the machine, so what a part costs is
# read in the sum of their CPU time per item (bench/threads.sh measures it), not in the rate
# alone.
#
# Parts are left out by a build of orisd made for this alone: `-DORIS_BENCH_PARTS` compiles in
# the switches of Sources/ORISBus/Daemon/BenchParts.swift (into its own build folder; the
# release build has none of it), and ORISD_BENCH_LEAVE_OUT picks one. That daemon loses what it
# is sent: it runs here, on 127.0.0.1, and nowhere else.
#
#   bench/parts.sh [--workload w1|w3] [--runs R] [--items N]
#     rounds of five rows (default 3); each row's ratio is to P of its own round. CPU time is
#     read in clock ticks of 10 ms: under a few hundred thousand items the figures are coarse.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=w1; runs=3; items=""
usage="usage: bench/parts.sh [--workload w1|w3] [--runs R] [--items N]"
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }
  case "$1" in
    --workload) workload=$2; shift;;
    --runs) runs=$2; shift;;
    --items) items=$2; shift;;
    *) echo "$usage" >&2; exit 64;;
  esac; shift
done
for n in "$runs" "${items:-1}"; do
  case "$n" in ''|*[!0-9]*|0) echo "bench/parts.sh: --runs and --items take a positive number" >&2; exit 64;; esac
done
case "$workload" in w1|w3) ;; *) echo "bench/parts.sh: --workload is w1 or w3" >&2; exit 64;; esac
# The first row of each round is orisd with nothing left out, whatever the caller's setting.
unset ORISD_BENCH_LEAVE_OUT
./scripts/install-deps.sh >&2
build=.build/bench-parts
swift build -c release --product orisd --scratch-path "$build" -Xswiftc -DORIS_BENCH_PARTS >&2
orisd="$build/release/orisd"
sizes=(--workload "$workload")
[ -n "$items" ] && sizes+=(--items "$items")

# The table rows of one bench/threads.sh run, each prefixed with the round and a label.
rows() {
  local round=$1 label=$2; shift 2
  bench/threads.sh "${sizes[@]}" --orisd "$orisd" "$@" | grep '^| ' | grep -v '^| broker' |
    awk -v r="$round" -v l="$label" -F'|' '{
      name = $2; gsub(/^ +| +$/, "", name)
      if (name == "orisd" && l != "") name = name ", " l
      printf "%s|%s", r, name; for (i = 3; i < NF; i++) printf "|%s", $i; print "" }'
}

results=$(mktemp /tmp/oris-parts.XXXXXX)
trap 'rm -f -- "$results"' EXIT
for round in $(seq 1 "$runs"); do
  rows "$round" "" --brokers P,orisd,forwarder >> "$results"
  ORISD_BENCH_LEAVE_OUT=journal rows "$round" "journal left out" --brokers orisd >> "$results"
  ORISD_BENCH_LEAVE_OUT=work rows "$round" "all its work left out" --brokers orisd >> "$results"
done

echo "$workload, CPU µs per published item (user + system) of each thread, rate as a ratio to P in its round"
echo
echo "| round | broker | items or deliveries/s | × P | main thread | I/O thread | other threads | subscriber | publisher | sum |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -F'|' '
  { line[NR] = $0; if ($2 == "P") p[$1] = $3 + 0 }
  END {
    for (n = 1; n <= NR; n++) {
      split(line[n], f, "|")
      printf "| %s | %s | %d | %.2f |", f[1], f[2], f[3], (p[f[1]] > 0 ? f[3] / p[f[1]] : 0)
      for (i = 5; i <= 10; i++) { v = f[i]; gsub(/ /, "", v); printf " %s |", v }
      print ""
    }
  }' "$results"
