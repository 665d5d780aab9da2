#!/usr/bin/env bash
# Where orisd's loop spends its time in W1, kernel included: what callgrind (bench/profile.sh)
# cannot see, since it counts the instructions of the process and none of the kernel's. Runs W1
# (1 publisher, 1 subscriber, journal on, fsync batch every 10 ms) through the release orisd
# with `perf record -e cpu-clock` sampling it (a timer, so it works on machines whose processor
# counters perf cannot read), then prints, for the loop thread, the share of its samples spent
# under each part of the hot path, and for the process its minor page faults per item (memory
# new to it: a page fault and a zeroed page every 4 KiB) and its peak resident memory.
# Everything runs on 127.0.0.1, in a scratch folder of its own. The kernel's part is sampled
# only as root or with /proc/sys/kernel/perf_event_paranoid at 1 or less.
#
#   bench/perf.sh [--items N] [--orisd PATH] [--keep DIR]
#     --orisd: another build of orisd to measure (an older commit's, for a before and after)
#     --keep: leave perf.data and the report there
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
items=1000000; orisd=.build/release/orisd; keep=""
usage="usage: bench/perf.sh [--items N] [--orisd PATH] [--keep DIR]"
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }
  case "$1" in
    --items) items=$2; shift;;
    --orisd) orisd=$(cd "$caller" && realpath -m -- "$2"); shift;;
    --keep) keep=$(cd "$caller" && realpath -m -- "$2"); shift;;
    *) echo "$usage" >&2; exit 64;;
  esac; shift
done
command -v perf >/dev/null || { echo "perf is missing: scripts/install-deps.sh --with-peers" >&2; exit 1; }
./scripts/install-deps.sh >&2
. bench/w-orisd.sh
bench_scratch perf "$orisd"
start_orisd "$orisd" "$scratch"
pid=$orisd_pid; pids+=("$pid")
"$load" sub --connect "$feed" --n "$items" --topics 1 --conns 1 --as gip --ready "$scratch/ready" --idle-s 10 \
  > "$scratch/sub.out" &
sub=$!; pids+=("$sub")
for _ in $(seq 1 600); do [ -f "$scratch/ready" ] && break; sleep 0.1; done
faults_before=$(cut -d' ' -f10 "/proc/$pid/stat")
perf record -e cpu-clock -F 2999 -g --per-thread -p "$pid" -o "$scratch/perf.data" 2>"$scratch/perf.err" &
recorder=$!; pids+=("$recorder")
sleep 0.5
"$load" pub --connect "$ingest" --n "$items" --topics 1 --as pub > /dev/null 2>&1
wait "$sub" || true
kill -INT "$recorder"; wait "$recorder" || true
faults=$(( $(cut -d' ' -f10 "/proc/$pid/stat") - faults_before ))
peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill "$pid"; wait "$pid" 2>/dev/null || true

# The loop is the main thread: its id is the process's. Shares are of that thread's samples,
# under each part (children included); the stack of a sample is walked through frame pointers,
# which libzmq and libc lack, so about half the samples reach no part of orisd's code: the
# shares name what is under a part, and leave the rest unnamed.
perf report -i "$scratch/perf.data" --stdio --children --sort sym --tid "$pid" --percentage relative \
  2>/dev/null > "$scratch/report.txt"
perf report -i "$scratch/perf.data" --stdio --no-children --sort sym --tid "$pid" --percentage relative \
  2>/dev/null > "$scratch/self.txt"
# The share of the first symbol matching $2 in report $1.
share() { awk -v pattern="$2" '$1 ~ /%$/ && $NF ~ pattern {gsub("%", "", $1); v = $1; exit} END {print v + 0}' "$1"; }
row() { printf '| %s | %.1f %% |\n' "$1" "$(share "$scratch/report.txt" "$2")"; }
selfrow() { printf '| %s | %.1f %% |\n' "$1" "$(share "$scratch/self.txt" "$2")"; }
echo "W1 through $orisd, $items items: $(grep RESULT "$scratch/sub.out" | sed -E 's/.*(got=[0-9]+).*(e2e_rate=[0-9]+).*/\1 \2/')"
echo
echo "| the loop thread's time (perf cpu-clock samples) | share |"
echo "|---|---|"
row "under publishing an item (publishPlain: checks, route, headers, journal record, window)" 'publishPlain'
row "… under the journal record (Journal.appendItem)" 'JournalC10appendItem'
selfrow "… in the id window's look-up (IdempotencyWindow.number)" 'IdempotencyWindowC6number'
selfrow "… in placing an id in the window (IdempotencyWindow.place)" 'IdempotencyWindowC5place'
row "under writing the journal into the page cache (pwrite)" '^__libc_pwrite$'
selfrow "… in the kernel's copy into the page cache" '^copy_folio_from_iter_atomic$'
row "under page faults (memory new to the process)" '^asm_exc_page_fault$'
selfrow "… in zeroing new pages" '^clear_page_erms$'
selfrow "in being switched out and back (finish_task_switch)" '^finish_task_switch'
echo
awk -v f="$faults" -v n="$items" -v p="$peak" \
  'BEGIN {printf "minor page faults: %d (%.3f an item); peak resident memory %.0f MiB\n", f, f / n, p / 1024}'
if [ -n "$keep" ]; then mkdir -p "$keep"; cp "$scratch/perf.data" "$scratch/report.txt" "$scratch/self.txt" "$keep/"; fi
