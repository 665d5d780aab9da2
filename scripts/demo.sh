#!/bin/sh
# make demo: starts an orisd of its own in a temporary folder, feeds it the samples/ the team
# wrote (CAP alerts, feeds, a MISP event, a STIX bundle, a table) through orisctl, and shows
# side by side what the GIP and the CRPS of a theme received, escalations included. Then it stops
# everything it started (by pid) and removes the folder. Loopback-free: ipc sockets only.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${ORIS_BIN_DIR:-$ROOT/.build/debug}
SAMPLES=$ROOT/samples
THEME=${DEMO_THEME:-risques-naturels}
WORK=$(mktemp -d /tmp/oris-demo-XXXXXX)
PIDS=""

stop_all() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap stop_all EXIT INT TERM

cp "$SAMPLES/orisd-demo.json" "$WORK/orisd.json"
cd "$WORK"
"$BIN/orisd" --config orisd.json 2> orisd.log &
PIDS="$!"
tries=0
until grep -q "msg=ready" orisd.log 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then echo "orisd did not start:"; cat orisd.log; exit 1; fi
    sleep 0.1
done
export ORIS_API="ipc://$WORK/demo-state/api.sock"
ctl() { "$BIN/orisctl" "$@"; }

echo "== orisd started in $WORK; subscribing the GIP and the CRPS of theme '$THEME'"
# Started directly (not through ctl), so that $! is orisctl itself and the cleanup stops it.
"$BIN/orisctl" subscribe --as "gip-${THEME%%-*}" "bfc/$THEME/gip/" --json > gip.jsonl 2> gip.err &
PIDS="$PIDS $!"
"$BIN/orisctl" subscribe --as crps-bfc "bfc/$THEME/crps/" --json > crps.jsonl 2> crps.err &
PIDS="$PIDS $!"
sleep 1

echo "== CAP alerts (an alert, its update and its cancel, an exercise, an ISO-8859-1 file, a broken one)"
ctl publish --cap "$SAMPLES/cap" --map "$SAMPLES/mapping.json" --as sdis-doubs || true
echo "== the same folder again: nothing new is stored"
ctl publish --cap "$SAMPLES/cap" --map "$SAMPLES/mapping.json" --as sdis-doubs --quiet 2>/dev/null || true
echo "== Atom and RSS feeds, twice (the second run remembers what it sent)"
ctl feed "$SAMPLES/feeds" --state feed-state.json --map "$SAMPLES/mapping.json" --as sdis-doubs
ctl feed "$SAMPLES/feeds" --state feed-state.json --map "$SAMPLES/mapping.json" --as sdis-doubs
echo "== a MISP event and a STIX bundle (TLP from their markings)"
ctl import --misp "$SAMPLES/events/misp-demo.json" --map "$SAMPLES/mapping.json" --as cert-bfc
ctl import --stix "$SAMPLES/events/stix-demo.json" --map "$SAMPLES/mapping.json" --as cert-bfc
echo "== a table of company registrations, one member per region"
ctl import --csv "$SAMPLES/registre-entreprises.csv" --map "$SAMPLES/mapping.json" --timeout 1500 || true

sleep 2.5   # let the subscribers' quiet-time check fill anything the feed missed
show() {
    python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line); h = o["header"]
    words = ["#%s" % h["seq"], h["kind"], h.get("severity", "")]
    words += [x for x in (h.get("msg_type"), h.get("status")) if x not in (None, "Alert", "Actual")]
    reason = h.get("reason") or ""
    words += ["^ESCALATED"] if h.get("tier") == "crps" and reason.startswith("severity") else []
    words += ["^FOLLOWS ORIGINAL"] if "where the original went" in reason else []
    print(" ".join(words + [h["title"]])[:76])
'
}
show < gip.jsonl > gip.txt
show < crps.jsonl > crps.txt
printf '\n%-78s%s\n' "GIP of $THEME receives" "CRPS receives (escalations)"
printf '%-78s%s\n' "------------------------" "---------------------------"
pr -m -t -w 156 gip.txt crps.txt
printf '\nOther themes: '
ctl replay --as operator bfc/ --json 2>/dev/null | python3 -c '
import json, sys, collections
c = collections.Counter(json.loads(l)["topic"].rsplit("/", 1)[0] for l in sys.stdin)
print(", ".join("%s %d" % kv for kv in sorted(c.items())))'
echo "== stopping orisd and the subscribers"
