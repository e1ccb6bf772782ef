#!/usr/bin/env bash
# Warden behind HAProxy (docs/scaling.md): plain-HTTP forwarding (absolute-form, 1 KiB from an
# nginx origin) with wrk, one worker per Warden, HAProxy in TCP mode with one thread, in one run,
# alternating, REPS rounds:
#   direct      wrk -> Warden
#   haproxy     wrk -> HAProxy -> Warden's proxy listener (no PROXY header)
#   haproxy-v2  wrk -> HAProxy -> Warden's balancer listener, PROXY v2
#   fleet-N     wrk -> HAProxy -> N Wardens' balancer listeners, PROXY v2, round robin
#   signed-in   wrk -> a Warden that asks for sign-in (auth.method = "local"), every request
#               carrying a user's Proxy-Authorization (checked once, then cached: the cost of
#               sign-in per request, docs/identity.md)
# each with keep-alive connections (the PROXY header once per connection) and with a new
# connection per request (once per request: where its cost shows). Medians and ratios at the end.
#
#   bench/fleet.sh [-n INSTANCES] [-r REPS] [-d SECONDS] [-c CONNECTIONS]
#
# WARDEN_BIN chooses the binary; KEEP=1 keeps the work folder (configs, logs) for a look after.
set -euo pipefail

N=2 REPS=5 DURATION=5 CONC=50
while [[ $# -gt 0 ]]; do
  case $1 in
    -n) N=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -d) DURATION=$2; shift 2 ;;
    -c) CONC=$2; shift 2 ;;
    *) echo "usage: bench/fleet.sh [-n INSTANCES] [-r REPS] [-d SECONDS] [-c CONNECTIONS]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
WARDEN=$(readlink -f "${WARDEN_BIN:-build/release/warden}")
[[ -x $WARDEN ]] || { echo "bench/fleet.sh: build Warden first (make)" >&2; exit 2; }
for b in nginx haproxy wrk; do
  command -v "$b" >/dev/null || { echo "bench/fleet.sh: $b is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/warden-fleet-bench.XXXXXX)
chmod 755 "$WORK"  # nginx's workers (nobody) read the page
OUT=${OUT:-bench/out/fleet-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n ${KEEP:-} ]] || rm -rf "$WORK"
}
trap cleanup EXIT
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }

ORIGIN=18280 FRONT_PLAIN=13280 FRONT_V2=13281 FRONT_FLEET=13282
mkdir -p "$WORK/www"
head -c 1024 /dev/urandom >"$WORK/www/1k"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  server { listen 127.0.0.1:$ORIGIN; root $WORK/www; } }
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK" & PIDS+=($!)
wait_port $ORIGIN

# The Wardens: instance i has its proxy listener on 13300+i and its balancer listener on 13400+i.
for ((i = 1; i <= N; i++)); do
  cat >"$WORK/w$i.toml" <<CONF
[balancer]
listen = ["127.0.0.1:$((13400 + i))"]
from = ["127.0.0.1"]
[log]
instance = "w$i"
[admin]
listen = "off"
CONF
  "$WARDEN" run -c "$WORK/w$i.toml" --listen 127.0.0.1:$((13300 + i)) --threads 1 \
    --state-dir "$WORK/state$i" --access-log /dev/null --log-level warn \
    --allow-destination 127.0.0.0/8 2>"$WORK/w$i.err" & PIDS+=($!)
  wait_port $((13300 + i))
done

# The signed-in instance: one user, made as a school makes them.
SIGNED=13399
echo "bench-password-1" | "$WARDEN" users add --state-dir "$WORK/state-signed" pupil year7 \
  2>"$WORK/users.err"
cat >"$WORK/signed.toml" <<CONF
[auth]
method = "local"
[admin]
listen = "off"
CONF
"$WARDEN" run -c "$WORK/signed.toml" --listen 127.0.0.1:$SIGNED --threads 1 \
  --state-dir "$WORK/state-signed" --access-log /dev/null --log-level warn \
  --allow-destination 127.0.0.0/8 2>"$WORK/signed.err" & PIDS+=($!)
wait_port $SIGNED

servers=""
for ((i = 1; i <= N; i++)); do servers+="  server w$i 127.0.0.1:$((13400 + i)) send-proxy-v2"$'\n'; done
cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen plain
  bind 127.0.0.1:$FRONT_PLAIN
  server w1 127.0.0.1:13301
listen v2
  bind 127.0.0.1:$FRONT_V2
  server w1 127.0.0.1:13401 send-proxy-v2
listen fleet
  bind 127.0.0.1:$FRONT_FLEET
  balance roundrobin
$servers
CONF
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.out" 2>&1 & PIDS+=($!)
wait_port $FRONT_FLEET

CREDENTIALS=$(printf 'pupil:bench-password-1' | base64)
for mode in keepalive newconn; do
  header='["Host"] = "127.0.0.1:'$ORIGIN'"'
  [[ $mode == newconn ]] && header+=', ["Connection"] = "close"'
  for who in anonymous signed; do
    fields=$header
    [[ $who == signed ]] && fields+=', ["Proxy-Authorization"] = "Basic '$CREDENTIALS'"'
    cat >"$WORK/$mode-$who.lua" <<LUA
request = function()
  return wrk.format("GET", "http://127.0.0.1:$ORIGIN/1k", { $fields })
end
LUA
  done
done

RESULTS=$OUT/fleet.tsv
printf "mode\tsetup\trep\trps\tp50\n" >"$RESULTS"
declare -A PORT=([direct]=13301 [haproxy]=$FRONT_PLAIN [haproxy-v2]=$FRONT_V2 [fleet-$N]=$FRONT_FLEET
  [signed-in]=$SIGNED)
SETUPS=(direct haproxy haproxy-v2 "fleet-$N" signed-in)
echo "== $N instances, one worker each, HAProxy one thread; $CONC connections, ${DURATION}s x $REPS" >&2
for mode in keepalive newconn; do
  for ((rep = 1; rep <= REPS; rep++)); do
    for setup in "${SETUPS[@]}"; do
      port=${PORT[$setup]}
      script=$WORK/$mode-anonymous.lua
      [[ $setup == signed-in ]] && script=$WORK/$mode-signed.lua
      wrk -t1 -c "$CONC" -d 1s -s "$script" "http://127.0.0.1:$port/" >/dev/null  # warm-up
      wrk -t1 -c "$CONC" -d "${DURATION}s" --latency -s "$script" "http://127.0.0.1:$port/" \
        >"$WORK/wrk.txt"
      rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
      p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
      errs=$(grep -E "Non-2xx|Socket errors" "$WORK/wrk.txt" || true)
      [[ -n $errs ]] && echo "  $mode $setup: $errs" >&2
      printf "%s\t%s\t%s\t%s\t%s\n" "$mode" "$setup" "$rep" "$rps" "$p50" >>"$RESULTS"
      echo "  $mode $setup rep $rep: $rps req/s, p50 $p50" >&2
    done
  done
done

python3 - "$RESULTS" "$N" <<'PY'
import collections, csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
n = sys.argv[2]
med = collections.defaultdict(list)
for r in rows:
    med[(r["mode"], r["setup"])].append(float(r["rps"]))
for mode in ("keepalive", "newconn"):
    m = {s: statistics.median(v) for (md, s), v in med.items() if md == mode}
    print(f"{mode}: " + ", ".join(f"{s} {v:,.0f}/s" for s, v in m.items()))
    print(f"  PROXY v2 vs none (both through HAProxy): {m['haproxy-v2'] / m['haproxy']:.3f}x; "
          f"HAProxy in front vs direct: {m['haproxy'] / m['direct']:.3f}x; "
          f"{n} instances vs 1 (both v2): {m['fleet-' + n] / m['haproxy-v2']:.3f}x; "
          f"signed in vs anonymous (both direct): {m['signed-in'] / m['direct']:.3f}x")
PY
echo "(rows: $RESULTS)" >&2
