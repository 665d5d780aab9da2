# orisd as a peer of ../shared/bench-peers/run-peers.sh, sourced by it (EXTRA_PEERS_SH); set up
# and run by bench/run-peers.sh. Two peers, each a fresh orisd on loopback per measurement:
#   orisd        publishers on the ingest endpoint (PUB, no reply), journal on, fsync batch
#   orisd-acked  one DEALER publishing with acknowledgement (256 in flight), fsync always:
#                the peer to compare with mqtt-qos1
#   orisd-ceiling        `orisload forward`: orisd's ingest frames in, orisd's bytes out (336 a
#                        delivery, as orisd's W1), none of orisd's work between
#   orisd-ceiling-acked  `orisload ackforward`: orisd's PUBLISH requests in, each ACKed and
#                        delivered once an fdatasync of a file holding it returns (group commit)
# The two ceilings: what a broker speaking orisd's protocol and doing nothing else reaches here.
# All drive the same workload with bench/orisload.c (ORISLOAD), which speaks ORIS01 under a
# PLAIN user name and prints the harness's RESULT fields; topics bench/tNNN/gip/signal.
ORISD_BIN=${ORISD_BIN:?set ORISD_BIN to the release orisd}
ORISLOAD=${ORISLOAD:?set ORISLOAD to the built bench/orisload}
ORISD_INGEST=tcp://127.0.0.1:25200
ORISD_FEED=tcp://127.0.0.1:25201
ORISD_API=tcp://127.0.0.1:25202

orisd_start() { # fsync policy
  local dir="$B/tmp/orisd-state" themes="" t
  rm -rf "$dir"; mkdir -p "$dir"
  for t in $(seq 0 99); do themes+="${themes:+, }{\"id\": \"t$(printf %03d "$t")\"}"; done
  cat > "$dir/orisd.json" <<JSON
{"state_dir": "$dir/state", "security": "none", "log_level": "warning",
 "endpoints": {"api": ["$ORISD_API"], "feed": ["$ORISD_FEED"], "ingest": ["$ORISD_INGEST"]},
 "journal": {"fsync": "$1", "batch_ms": 10},
 "tenants": [{"id": "bench", "themes": [$themes],
              "members": [{"id": "pub", "stratum": "capteur"}, {"id": "gip", "stratum": "gip"}]}]}
JSON
  start_bg "$ORISD_BIN" --config "$dir/orisd.json"
  waitport 25201; waitport 25202; sleep 0.3
}
orisd_stop() { stop_broker; rm -rf "$B/tmp/orisd-state"; }
peer_orisd_start() { orisd_start batch; }
peer_orisd_stop() { orisd_stop; }
peer_orisd_acked_start() { orisd_start always; }
peer_orisd_acked_stop() { orisd_stop; }
peer_orisd_ceiling_start() {
  start_bg "$ORISLOAD" forward --front "$ORISD_INGEST" --back "$ORISD_FEED" --pad-to 336
  waitport 25200; waitport 25201; sleep 0.3
}
peer_orisd_ceiling_acked_start() {
  mkdir -p "$B/tmp/ceiling"
  start_bg "$ORISLOAD" ackforward --front "$ORISD_API" --back "$ORISD_FEED" --file "$B/tmp/ceiling/journal" \
    --pad-to 336
  waitport 25201; waitport 25202; sleep 0.3
}
peer_orisd_ceiling_acked_stop() { stop_broker; rm -rf "$B/tmp/ceiling"; }

# args: peer conns topics mixed n rate label ready
peer_orisd_sub() {
  local m=""; [ "$4" = 1 ] && m=--mixed
  echo "$ORISLOAD sub --connect $ORISD_FEED --as gip --conns $2 --topics $3 $m --n $5 --label $7 --ready $8"
}
peer_orisd_acked_sub() { peer_orisd_sub "$@"; }
peer_orisd_ceiling_sub() { peer_orisd_sub "$@"; }
peer_orisd_ceiling_acked_sub() { peer_orisd_sub "$@"; }
peer_orisd_pub() { echo "$ORISLOAD pub --connect $ORISD_INGEST --as pub --topics $3 --n $5 --rate $6"; }
peer_orisd_ceiling_pub() { peer_orisd_pub "$@"; }
peer_orisd_acked_pub() {
  echo "$ORISLOAD apub --connect $ORISD_API --as pub --topics $3 --n $5 --rate $6 --window 256"
}
peer_orisd_ceiling_acked_pub() { peer_orisd_acked_pub "$@"; }

# The acknowledged peer runs at a disk-bound rate: as many items as mqtt-qos1 gets.
eval "peers_default_$(declare -f counts)"
counts() {
  case "$1" in orisd-acked|orisd-ceiling-acked) peers_default_counts mqtt-qos1;; *) peers_default_counts "$1";; esac
}
