#!/usr/bin/env bash
# Whole-system benchmark of the explicit proxy on this machine, in one run:
#   A. plain-HTTP forwarding (absolute-form, keep-alive, 1 KiB responses) with wrk through
#      Warden and Squid, each with one worker, and straight at the origin (the limit);
#   B. CONNECT relay: ../shared/bench/run-peers.sh with Warden (tls.intercept = false) beside
#      haproxy in tcp mode (the no-filter relay limit) and Squid, through the Go load client;
#   D. TLS interception (--tls): the same harness with Warden bumping, beside haproxy and
#      nginx re-encrypting (the limits) and Squid ssl-bump;
#   C. Warden's RSS with 1,000 idle keep-alive client connections.
# Prints requests/s, p50/p99 latency, proxy CPU per 10k requests and RSS; writes everything to
# OUT (default bench/out/<timestamp>). Loopback only; every process it starts is stopped by PID.
#
#   bench/run.sh [-d SECONDS] [-r REPS] [-c CONNECTIONS] [--skip-connect] [--tls]
# WARDEN_EXTRA_ARGS adds flags to `warden run` (e.g. "--lists ../shared/datasets/ut1").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED_BENCH=${SHARED_BENCH:-$ROOT/../shared/bench}
WARDEN=${WARDEN_BIN:-$ROOT/build/release/warden}
# The origins here listen on loopback, which Warden refuses by default (proxy.deny_destinations).
ALLOW_LOOPBACK="--allow-destination 127.0.0.0/8 --allow-destination ::1/128"
DURATION=10 REPS=3 CONC=50 SKIP_CONNECT=0 TLS=0
while [[ $# -gt 0 ]]; do
  case $1 in
    -d) DURATION=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -c) CONC=$2; shift 2 ;;
    --skip-connect) SKIP_CONNECT=1; shift ;;
    --tls) TLS=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)}
WORK=/tmp/warden-bench
mkdir -p "$OUT" "$WORK"
[[ -x $WARDEN ]] || { echo "build Warden first (make)" >&2; exit 1; }
for b in nginx squid haproxy wrk curl python3; do
  command -v "$b" >/dev/null || { echo "installing the peers: $SHARED_BENCH/install.sh" >&2; "$SHARED_BENCH/install.sh"; break; }
done

ORIGIN_PORT=18180 SQUID_PORT=13180 WARDEN_PORT=13181
declare -A PIDS=()
stop() { local p=${PIDS[$1]:-}; [[ -n $p ]] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; unset "PIDS[$1]"; true; }
stop_all() { for k in "${!PIDS[@]}"; do stop "$k"; done; }
trap stop_all EXIT
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# --- the origin: nginx, one worker, /1k of random bytes --------------------------------------
mkdir -p "$WORK/www" "$WORK/nginx"
head -c 1024 /dev/urandom >"$WORK/www/1k"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  server { listen 127.0.0.1:$ORIGIN_PORT; root $WORK/www; } }
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" & PIDS[origin]=$!
wait_port $ORIGIN_PORT

# --- Squid, one worker, no cache, no logs ------------------------------------------------------
cat >"$WORK/squid.conf" <<CONF
http_port 127.0.0.1:$SQUID_PORT
workers 1
cache deny all
access_log none
cache_log $WORK/squid-cache.log
pid_filename $WORK/squid.pid
coredump_dir $WORK
http_access allow all
dns_nameservers 127.0.0.1
shutdown_lifetime 1 seconds
CONF

start_system() {
  case $1 in
    direct) return 0 ;;
    squid) squid -N -f "$WORK/squid.conf" >"$WORK/squid.out" 2>&1 & PIDS[proxy]=$!; wait_port $SQUID_PORT ;;
    warden) "$WARDEN" run --listen 127.0.0.1:$WARDEN_PORT --threads 1 --state-dir "$WORK/state" $ALLOW_LOOPBACK \
              --access-log off --log-level warn ${WARDEN_EXTRA_ARGS:-} 2>"$WORK/warden.err" & PIDS[proxy]=$!; wait_port $WARDEN_PORT ;;
  esac
}
target_port() { case $1 in direct) echo $ORIGIN_PORT ;; squid) echo $SQUID_PORT ;; warden) echo $WARDEN_PORT ;; esac; }

cat >"$WORK/absolute.lua" <<LUA
-- wrk through an explicit proxy: absolute-form targets.
request = function()
  return wrk.format("GET", "http://127.0.0.1:$ORIGIN_PORT/1k", { ["Host"] = "127.0.0.1:$ORIGIN_PORT" })
end
LUA

RESULTS=$OUT/http.tsv
printf "system\trep\trps\tp50_ms\tp99_ms\tcpu_s_per_10k\trss_mib\n" >"$RESULTS"
to_ms() { python3 -c "import re,sys; v=sys.argv[1]; m=re.match(r'([\d.]+)(us|ms|s)', v); f={'us':1e-3,'ms':1,'s':1e3}[m.group(2)]; print(round(float(m.group(1))*f, 3))" "$1"; }

echo "== A. HTTP forwarding, keep-alive, 1 KiB, $CONC connections, ${DURATION}s x $REPS" >&2
for ((rep = 1; rep <= REPS; rep++)); do
  for sys in direct squid warden; do
    start_system $sys
    port=$(target_port $sys)
    script=(); [[ $sys != direct ]] && script=(-s "$WORK/absolute.lua")
    wrk -t1 -c "$CONC" -d 2s "${script[@]}" "http://127.0.0.1:$port/1k" >/dev/null  # warm-up
    pid=${PIDS[proxy]:-${PIDS[origin]}}
    before=$(cpu_ticks "$pid")
    wrk -t1 -c "$CONC" -d "${DURATION}s" --latency "${script[@]}" "http://127.0.0.1:$port/1k" >"$OUT/wrk-$sys-$rep.txt"
    after=$(cpu_ticks "$pid")
    rss=$(rss_kib "$pid")
    rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$sys-$rep.txt")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$sys-$rep.txt")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$sys-$rep.txt")")
    reqs=$(awk '/requests in/ {print $1}' "$OUT/wrk-$sys-$rep.txt")
    errs=$(grep -E "Non-2xx|Socket errors" "$OUT/wrk-$sys-$rep.txt" || true)
    [[ -n $errs ]] && echo "  $sys: $errs" >&2
    cpu=$(python3 -c "print(round(($after - $before) / $(getconf CLK_TCK) / $reqs * 10000, 3))")
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" $sys $rep "$rps" "$p50" "$p99" "$cpu" "$(python3 -c "print(round($rss/1024, 1))")" >>"$RESULTS"
    echo "  $sys rep $rep: $rps req/s, p50 $p50 ms, p99 $p99 ms, CPU $cpu s/10k (${sys} process)" >&2
    stop proxy
  done
done

echo "== C. Warden RSS with 1,000 idle keep-alive clients" >&2
start_system warden
python3 - "$WARDEN_PORT" "$ORIGIN_PORT" "${PIDS[proxy]}" >"$OUT/idle.txt" <<'PY'
import socket, sys, time
port, origin, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def rss():
    return int([l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0].split()[1])
req = f"GET http://127.0.0.1:{origin}/1k HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
s0 = socket.create_connection(("127.0.0.1", port)); s0.sendall(req); s0.recv(65536)
base = rss()
conns = []
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    got = b""
    while b"\r\n\r\n" not in got or len(got) < 1024:
        got += s.recv(65536)
    conns.append(s)
time.sleep(2)
print(f"rss_before_kib={base} rss_with_1000_idle_kib={rss()} per_conn_bytes={(rss() - base) * 1024 // 1000}")
PY
cat "$OUT/idle.txt" >&2
stop proxy
stop origin

python3 - "$RESULTS" >"$OUT/summary.md" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = lambda sysname, k: statistics.median(float(r[k]) for r in rows if r["system"] == sysname)
print("| HTTP forwarding (median) | req/s | p50 ms | p99 ms | CPU s / 10k req | RSS MiB |")
print("|---|---|---|---|---|---|")
for s in ["direct", "squid", "warden"]:
    print(f"| {s} | {med(s,'rps'):,.0f} | {med(s,'p50_ms')} | {med(s,'p99_ms')} | {med(s,'cpu_s_per_10k')} | {med(s,'rss_mib')} |")
print(f"\nWarden / Squid req/s: {med('warden','rps') / med('squid','rps'):.2f}x; "
      f"CPU per request Warden / Squid: {med('warden','cpu_s_per_10k') / med('squid','cpu_s_per_10k'):.2f}")
PY
cat "$OUT/summary.md"
cat "$OUT/idle.txt"

if [[ $SKIP_CONNECT == 0 ]]; then
  echo "== B. CONNECT relay: ../shared/bench/run-peers.sh (haproxy-tcp, warden relaying, squid)" >&2
  printf '[tls]\nintercept = false\n' >"$WORK/relay.toml"
  # The harness exports a CA from its Warden state folder if one exists; a relaying Warden must
  # not leave one there from an intercepting run, or the client would expect it.
  rm -f /tmp/tlsbench/warden/ca.pem /tmp/tlsbench/warden/ca.key
  WARDEN_BIN=$WARDEN WARDEN_ARGS="--threads 1 $ALLOW_LOOPBACK -c $WORK/relay.toml" "$SHARED_BENCH/run-peers.sh" \
    -s "haproxy-tcp warden squid" -d "$DURATION" -r "$REPS" --no-crypto -o "$OUT/connect" | tee "$OUT/connect-summary.md"
fi

if [[ $TLS == 1 ]]; then
  echo "== D. TLS interception: ../shared/bench/run-peers.sh (haproxy-reenc, nginx-reenc, squid, warden)" >&2
  WARDEN_BIN=$WARDEN WARDEN_ARGS="--threads 1 $ALLOW_LOOPBACK" "$SHARED_BENCH/run-peers.sh" \
    -s "haproxy-reenc nginx-reenc squid warden" -d "$DURATION" -r "$REPS" --no-crypto -o "$OUT/tls" | tee "$OUT/tls-summary.md"
fi
