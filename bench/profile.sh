#!/usr/bin/env bash
# One workload through one Warden, for profiling and for A/B runs of a change (docs/performance.md):
# the bench origin (nginx) and the Go load client that ../shared/bench/run-peers.sh set up in
# /tmp/tlsbench, Warden with one worker intercepting. Prints requests (or connections) per
# second, Warden's CPU per request from /proc (whole run, no warm-up excluded), and for `idle`
# the bytes each idle bumped connection costs.
#
#   bench/profile.sh [keepalive|newconn|idle] [-d SECONDS] [--perf] [--strace] [--heaptrack]
#
# WARDEN_BIN (default build/release/warden), WARDEN_ENV (e.g.
# "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2") and WARDEN_ARGS (more flags for
# `warden run`, e.g. "-c no-database.toml") choose what runs. --perf records the
# worker for 3 s (perf report -i /tmp/warden-profile.perf), --strace counts its system calls for
# 2 s (/tmp/warden-profile.strace), --heaptrack runs Warden under heaptrack
# (/tmp/warden-profile.heaptrack.zst; with `idle` the process is killed while it holds the
# connections, so what they hold shows as leaked).
set -euo pipefail

MODE=keepalive DURATION=8 PERF=0 STRACE=0 HEAPTRACK=0
while [[ $# -gt 0 ]]; do
  case $1 in
    keepalive | newconn | idle) MODE=$1; shift ;;
    -d) DURATION=$2; shift 2 ;;
    --perf) PERF=1; shift ;;
    --strace) STRACE=1; shift ;;
    --heaptrack) HEAPTRACK=1; shift ;;
    *) echo "usage: bench/profile.sh [keepalive|newconn|idle] [-d SECONDS] [--perf] [--strace] [--heaptrack]" >&2; exit 2 ;;
  esac
done

W=/tmp/tlsbench
if [[ ! -x $W/bin/loadclient || ! -f $W/conf/origin-nginx.conf ]]; then
  echo "bench/profile.sh: $W is not set up; run ../shared/bench/run-peers.sh once first" >&2
  exit 2
fi
WARDEN=$(readlink -f "${WARDEN_BIN:-build/release/warden}")
PORT=13130
PIDS=()
cleanup() {
  for p in ${WPID:-} "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

nginx -c "$W/conf/origin-nginx.conf" -p "$W/" &
PIDS+=($!)
WRAP=()
[[ $HEAPTRACK == 1 ]] && WRAP=(heaptrack -o /tmp/warden-profile.heaptrack)
rm -f /tmp/warden-profile.heaptrack*
env ${WARDEN_ENV:-} "${WRAP[@]}" "$WARDEN" run --listen 127.0.0.1:$PORT --state-dir "$W/warden" \
  --access-log /dev/null --upstream-ca "$W/pki/origin-ca.pem" --connect-port 18443 --threads 1 \
  --allow-destination 127.0.0.0/8 ${WARDEN_ARGS:-} 2>/tmp/warden-profile.err &
PIDS+=($!)
for _ in $(seq 100); do
  WPID=$(pgrep -f "^$WARDEN run --listen 127.0.0.1:$PORT" | head -1 || true)
  [[ -n $WPID ]] && curl -s -o /dev/null -x http://127.0.0.1:$PORT --cacert "$W/warden/school-ca.pem" \
    https://localhost:18443/1k && break
  sleep 0.1
done
[[ -n ${WPID:-} ]] || { echo "bench/profile.sh: Warden did not start (/tmp/warden-profile.err)" >&2; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$WPID/stat"; }

CLIENT=("$W/bin/loadclient" -target 127.0.0.1:$PORT -connect localhost:18443 -ca "$W/warden/school-ca.pem")
if [[ $MODE == idle ]]; then
  HOLD=3s
  [[ $HEAPTRACK == 1 ]] && HOLD=15s
  "${CLIENT[@]}" -mode idle -n 1000 -c 50 -hold $HOLD -path /1k -watch "proxy=$WPID" >/tmp/warden-profile.json &
  LOAD=$!
  if [[ $HEAPTRACK == 1 ]]; then
    sleep 10
    kill -9 "$WPID"
  fi
  wait $LOAD || true
  if [[ $HEAPTRACK == 1 ]]; then
    echo "idle: heaptrack data in /tmp/warden-profile.heaptrack.zst (heaptrack_print --print-leaks 1)"
    exit 0
  fi
  python3 -c "import json; d = json.load(open('/tmp/warden-profile.json')); p = d['watch']['proxy']
print(f\"idle: {d['open']} connections, {p['bytes_per_conn']:.0f} bytes each (RSS {p['rss_before_kib']} -> {p['rss_idle_kib']} KiB)\")"
  exit 0
fi

BEFORE=$(ticks)
"${CLIENT[@]}" -mode "$MODE" -c 50 -d "${DURATION}s" -warmup 0s -path /1k >/tmp/warden-profile.json &
LOAD=$!
sleep 2
if [[ $PERF == 1 ]]; then
  perf record -F 2000 -g --call-graph dwarf,16384 -p "$WPID" -o /tmp/warden-profile.perf -- sleep 3 >/dev/null 2>&1
fi
if [[ $STRACE == 1 ]]; then
  timeout 2 strace -c -f -p "$WPID" -o /tmp/warden-profile.strace || true
fi
wait $LOAD
AFTER=$(ticks)
python3 -c "import json, os; d = json.load(open('/tmp/warden-profile.json'))
hz = os.sysconf('SC_CLK_TCK'); n = d['requests']
print(f\"$MODE: {d['rps']:,.0f}/s, {n:,} in all, {d['errors']} errors, Warden CPU {($AFTER - $BEFORE) / hz * 1e6 / n:.1f} us each\")"
