#!/usr/bin/env bash
# HTTP/2 through a filter, in the gateway topology (bench/topology.sh): h2load in the client ns
# asks for https://…/1k over TLS+h2 from nginx (http2, one worker) in the server ns, with 100
# concurrent streams over 10 connections (-c 10 -m 10), through:
#   routed  the router only forwards (the limit: no filter),
#   warden  Warden on the router, capture mode redirect (one worker thread), intercepting TLS
#           and speaking h2 on both legs (h2load has no proxy support: transparent capture),
#   nginx   nginx on the router (one worker) terminating TLS+h2 and re-encrypting to the same
#           origin (HTTP/1.1 keep-alive upstream, verified), the comparison the issue names.
# Prints requests/s and p50/p99 per system (medians over REPS). Needs root.
#
#   bench/h2.sh [-d SECONDS] [-r REPS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARDEN=${WARDEN_BIN:-$ROOT/build/release/warden}
DURATION=10 REPS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    -d) DURATION=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "h2.sh needs root (network namespaces, nftables)" >&2; exit 1; }
[[ -x $WARDEN ]] || { echo "build Warden first (make)" >&2; exit 1; }
for b in nginx h2load nft openssl; do command -v $b >/dev/null || { echo "missing $b" >&2; exit 1; }; done
OUT=${OUT:-$ROOT/bench/out/h2-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/warden-h2-XXXXXX)
chmod 755 "$WORK"
mkdir -p "$OUT"
source "$ROOT/bench/topology.sh"

# The origin's certificate (for its address), from a root Warden and nginx are told to trust.
(cd "$WORK" &&
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-root \
    -addext keyUsage=critical,keyCertSign -keyout root.key -out root.pem &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=198.18.2.2 \
    -keyout leaf.key -out leaf.csr &&
  printf 'subjectAltName=IP:198.18.2.2,IP:198.18.1.1,DNS:origin.test\nextendedKeyUsage=serverAuth\n' >leaf.ext &&
  openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -days 2 \
    -extfile leaf.ext -out leaf.pem) >/dev/null 2>&1
mkdir -p "$WORK/www" "$WORK/tmp"
head -c 1024 /dev/urandom >"$WORK/www/1k"
nginx_conf() {  # $1: name, $2: server block
  cat >"$WORK/$1.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/$1.pid; error_log $WORK/$1.err; user root;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp;
  ssl_certificate $WORK/leaf.pem; ssl_certificate_key $WORK/leaf.key;
  $2 }
CONF
}
nginx_conf origin "server { listen 198.18.2.2:443 ssl http2; root $WORK/www; }"
nginx_conf reencrypt "upstream origin { server 198.18.2.2:443; keepalive 256; keepalive_requests 1000000; }
  server { listen 198.18.1.1:8443 ssl http2; location / { proxy_pass https://origin;
    proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_ssl_verify on;
    proxy_ssl_name origin.test;
    proxy_ssl_trusted_certificate $WORK/root.pem; proxy_ssl_session_reuse on; } }"
ip netns exec "$SRV" nginx -c "$WORK/origin.conf" -p "$WORK" & PIDS+=($!)

URL=""
PROXY=""
start_system() {
  PROXY=""
  URL=https://198.18.2.2/1k
  case $1 in
    routed) ;;
    warden)
      ip netns exec "$RTR" "$WARDEN" run --capture redirect --listen 127.0.0.1:3128 --threads 1 \
        --state-dir "$WORK/state" --access-log off --log-level warn \
        --upstream-ca "$WORK/root.pem" 2>"$WORK/warden.err" &
      PROXY=$! ;;
    nginx)
      ip netns exec "$RTR" nginx -c "$WORK/reencrypt.conf" -p "$WORK" &
      PROXY=$!
      URL=https://198.18.1.1:8443/1k ;;
  esac
  [[ -n $PROXY ]] && PIDS+=("$PROXY")
  for _ in $(seq 100); do  # h2 through whatever is in the path, once its rules are in place
    if [[ $1 != warden ]] || ip netns exec "$RTR" nft list table inet warden >/dev/null 2>&1; then
      ip netns exec "$CLI" h2load -n 1 "$URL" 2>/dev/null | grep -q "1 succeeded" && return 0
    fi
    sleep 0.1
  done
  echo "$1: nothing gets through" >&2; cat "$WORK"/*.err >&2; exit 1
}
stop_system() {
  if [[ -n $PROXY ]]; then kill "$PROXY"; wait "$PROXY" 2>/dev/null || true; fi
  ip netns exec "$RTR" nft delete table inet warden 2>/dev/null || true
}

RESULTS=$OUT/h2.tsv
printf "system\trep\trps\tp50_ms\tp99_ms\tfailed\n" >"$RESULTS"
echo "== h2, TLS, 1 KiB, 10 connections x 10 streams, ${DURATION}s x $REPS" >&2
for ((rep = 1; rep <= REPS; rep++)); do
  for sys in routed warden nginx; do
    start_system $sys
    ip netns exec "$CLI" h2load -c 10 -m 10 -D 2 "$URL" >/dev/null  # warm-up
    f=$OUT/h2load-$sys-$rep
    ip netns exec "$CLI" h2load -c 10 -m 10 -D "$DURATION" --log-file "$f.log" "$URL" >"$f.txt"
    read -r rps p50 p99 failed < <(python3 - "$f.txt" "$f.log" <<'PY'
import re, statistics, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"finished in .*?, ([\d.]+) req/s", text).group(1))
failed = int(re.search(r"(\d+) failed", text).group(1))
us = sorted(int(l.split()[2]) for l in open(sys.argv[2]) if l.strip())
pct = lambda p: round(us[min(len(us) - 1, int(len(us) * p))] / 1000, 3)
print(rps, pct(0.50), pct(0.99), failed)
PY
)
    printf "%s\t%s\t%s\t%s\t%s\t%s\n" $sys $rep "$rps" "$p50" "$p99" "$failed" >>"$RESULTS"
    echo "  $sys rep $rep: $rps req/s, p50 $p50 ms, p99 $p99 ms, $failed failed" >&2
    stop_system
  done
done

python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = lambda s, k: statistics.median(float(r[k]) for r in rows if r["system"] == s)
print("| h2 gateway, 100 streams / 10 conns (median) | req/s | p50 ms | p99 ms |")
print("|---|---|---|---|")
for s in ("routed", "warden", "nginx"):
    print(f"| {s} | {med(s, 'rps'):,.0f} | {med(s, 'p50_ms')} | {med(s, 'p99_ms')} |")
w, n, r = med("warden", "rps"), med("nginx", "rps"), med("routed", "rps")
print(f"\nWarden / routed: {w / r:.2f}; Warden / nginx re-encrypting: {w / n:.2f} (target >= 0.8)")
PY
