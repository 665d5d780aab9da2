# Sourced by bench/threads.sh and bench/perf.sh: their scratch folder, and orisd for their
# workloads.
#
# bench_scratch NAME BIN: builds the release orisd when BIN is that build, stops when there is
# no orisd at BIN, makes a scratch folder /tmp/oris-NAME.XXXXXX and compiles orisload into it;
# sets scratch, load and pids (every process in pids is killed, and the folder removed, at exit).
bench_scratch() {
  local name=$1 bin=$2
  if [ "$bin" = .build/release/orisd ]; then swift build -c release --product orisd >&2; fi
  [ -x "$bin" ] || { echo "bench: no orisd at $bin" >&2; exit 66; }
  scratch="$(mktemp -d "/tmp/oris-$name.XXXXXX")"
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf -- "$scratch"' EXIT
  cc -O2 -Wall -o "$scratch/orisload" bench/orisload.c -lzmq -lpthread
  load="$scratch/orisload"
}

# start_orisd BIN DIR: writes DIR/orisd.json (security none, loopback endpoints on free ports,
# journal on with fsync batch every 10 ms, one tenant "bench" with themes t000–t099, a capteur
# "pub" and a gip "gip"), starts BIN on it with its log in DIR/err, waits for it to be ready,
# and sets orisd_pid, feed and ingest (the endpoints it bound); fails, with the log's end on
# stderr, when it is not ready within 10 s.
start_orisd() {
  local bin=$1 dir=$2 names ready
  names=$(for i in $(seq 0 99); do printf '{"id": "t%03d"},' "$i"; done)
  cat > "$dir/orisd.json" <<JSON
{"state_dir": "$dir/state", "security": "none", "log_level": "warning",
 "endpoints": {"api": ["tcp://127.0.0.1:*"], "feed": ["tcp://127.0.0.1:*"], "ingest": ["tcp://127.0.0.1:*"]},
 "journal": {"fsync": "batch", "batch_ms": 10},
 "tenants": [{"id": "bench", "themes": [${names%,}],
              "members": [{"id": "pub", "stratum": "capteur"}, {"id": "gip", "stratum": "gip"}]}]}
JSON
  "$bin" --config "$dir/orisd.json" --log-level info 2>"$dir/err" &
  orisd_pid=$!
  for _ in $(seq 1 100); do grep -q "msg=ready" "$dir/err" && break; sleep 0.1; done
  if ! ready=$(grep "msg=ready" "$dir/err"); then
    echo "orisd ($bin) did not start within 10 s; the end of its log:" >&2
    tail -n 20 "$dir/err" >&2
    return 1
  fi
  feed=$(echo "$ready" | sed -E 's/.* feed=([^ ]+).*/\1/')
  ingest=$(echo "$ready" | sed -E 's/.* ingest=([^ ]+).*/\1/')
}
