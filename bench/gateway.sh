#!/usr/bin/env bash
# The gateway topology, in network namespaces this script creates (198.18.0.0/15 only) and
# removes: client ns -> router ns -> server ns (nginx, 1 KiB). wrk in the client asks
# http://198.18.2.2/1k with no proxy settings, keep-alive, through:
#   routed  the router only forwards (the limit: no filter),
#   warden  Warden on the router, capture mode redirect (one worker thread),
#   squid   Squid on the router in intercept mode behind the same nft redirect (one worker).
# Prints requests/s and p50/p99 per system (medians over REPS) and the router process's CPU
# per 10k requests. Needs root. Writes everything to OUT (default bench/out/gateway-<time>).
#
#   bench/gateway.sh [-d SECONDS] [-r REPS] [-c CONNECTIONS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARDEN=${WARDEN_BIN:-$ROOT/build/release/warden}
DURATION=10 REPS=3 CONC=50
while [[ $# -gt 0 ]]; do
  case $1 in
    -d) DURATION=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -c) CONC=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "gateway.sh needs root (network namespaces, nftables)" >&2; exit 1; }
[[ -x $WARDEN ]] || { echo "build Warden first (make)" >&2; exit 1; }
for b in nginx squid wrk nft; do command -v $b >/dev/null || { echo "missing $b" >&2; exit 1; }; done
OUT=${OUT:-$ROOT/bench/out/gateway-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/warden-gw-XXXXXX)
chmod 755 "$WORK"
mkdir -p "$OUT"
source "$ROOT/bench/topology.sh"  # client ns -> router ns -> server ns, cleaned up on exit

mkdir -p "$WORK/www"
head -c 1024 /dev/urandom >"$WORK/www/1k"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  server { listen 198.18.2.2:80; root $WORK/www; } }
CONF
ip netns exec "$SRV" nginx -c "$WORK/nginx.conf" -p "$WORK" & PIDS+=($!)

cat >"$WORK/squid.conf" <<CONF
http_port 127.0.0.1:3128
http_port 3140 intercept
workers 1
cache deny all
access_log none
cache_log $WORK/squid-cache.log
pid_filename $WORK/squid.pid
coredump_dir $WORK
http_access allow all
shutdown_lifetime 1 seconds
CONF
cat >"$WORK/squid-redirect.nft" <<CONF
table inet squidbench {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "gbrc0" meta l4proto tcp th dport 80 redirect to :3140
  }
}
CONF

wait_http() {  # the client can fetch through whatever is in the path
  for _ in $(seq 100); do
    ip netns exec "$CLI" curl -s -o /dev/null -m 1 http://198.18.2.2/1k && return 0; sleep 0.1
  done
  return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
to_ms() { python3 -c "import re,sys; v=sys.argv[1]; m=re.match(r'([\d.]+)(us|ms|s)', v); f={'us':1e-3,'ms':1,'s':1e3}[m.group(2)]; print(round(float(m.group(1))*f, 3))" "$1"; }

PROXY=""
start_system() {
  PROXY=""
  case $1 in
    routed) ;;
    warden)
      ip netns exec "$RTR" "$WARDEN" run --capture redirect --listen 127.0.0.1:3128 --threads 1 \
        --state-dir "$WORK/state" --access-log off --log-level warn 2>"$WORK/warden.err" &
      PROXY=$! ;;
    squid)
      ip netns exec "$RTR" nft -f "$WORK/squid-redirect.nft"
      ip netns exec "$RTR" squid -N -f "$WORK/squid.conf" >"$WORK/squid.out" 2>&1 &
      PROXY=$! ;;
  esac
  [[ -n $PROXY ]] && PIDS+=("$PROXY")
  wait_http || { echo "$1: nothing gets through" >&2; cat "$WORK"/*.err >&2; exit 1; }
}
stop_system() {
  if [[ -n $PROXY ]]; then kill "$PROXY"; wait "$PROXY" 2>/dev/null || true; fi
  ip netns exec "$RTR" nft delete table inet squidbench 2>/dev/null || true
  ip netns exec "$RTR" nft delete table inet warden 2>/dev/null || true
}

RESULTS=$OUT/gateway.tsv
printf "system\trep\trps\tp50_ms\tp99_ms\tcpu_s_per_10k\n" >"$RESULTS"
echo "== gateway, HTTP keep-alive, 1 KiB, $CONC connections, ${DURATION}s x $REPS" >&2
for ((rep = 1; rep <= REPS; rep++)); do
  for sys in routed warden squid; do
    start_system $sys
    ip netns exec "$CLI" wrk -t1 -c "$CONC" -d 2s http://198.18.2.2/1k >/dev/null  # warm-up
    before=0; [[ -n $PROXY ]] && before=$(cpu_ticks "$PROXY")
    ip netns exec "$CLI" wrk -t1 -c "$CONC" -d "${DURATION}s" --latency http://198.18.2.2/1k \
      >"$OUT/wrk-$sys-$rep.txt"
    after=0; [[ -n $PROXY ]] && after=$(cpu_ticks "$PROXY")
    f=$OUT/wrk-$sys-$rep.txt
    rps=$(awk '/Requests\/sec/ {print $2}' "$f")
    reqs=$(awk '/requests in/ {print $1}' "$f")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
    cpu=$(python3 -c "print(round(($after - $before) / 100 / max(1, $reqs) * 1e4, 3))")
    errs=$(grep -E "Non-2xx|Socket errors" "$f" || true)
    printf "%s\t%s\t%s\t%s\t%s\t%s\n" $sys $rep "$rps" "$p50" "$p99" "$cpu" >>"$RESULTS"
    echo "  $sys rep $rep: $rps req/s, p50 $p50 ms, p99 $p99 ms, CPU $cpu s/10k ${errs:+($errs)}" >&2
    stop_system
  done
done

python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = lambda s, k: statistics.median(float(r[k]) for r in rows if r["system"] == s)
print("| gateway, HTTP keep-alive (median) | req/s | p50 ms | p99 ms | router CPU s / 10k req |")
print("|---|---|---|---|---|")
for s in ("routed", "warden", "squid"):
    cpu = "—" if s == "routed" else f"{med(s, 'cpu_s_per_10k'):.3f}"
    print(f"| {s} | {med(s, 'rps'):,.0f} | {med(s, 'p50_ms')} | {med(s, 'p99_ms')} | {cpu} |")
w, q, r = med("warden", "rps"), med("squid", "rps"), med("routed", "rps")
print(f"\nWarden / routed: {w / r:.2f}; Warden / Squid intercept: {w / q:.2f}")
PY
