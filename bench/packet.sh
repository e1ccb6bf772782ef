#!/usr/bin/env bash
# The packet path (capture.mode tun) beside nftables' local redirect, on one device: a device
# namespace (curl/wrk and Warden, one worker) and a web namespace (nginx, one worker), created
# here and removed on exit (198.18.0.0/15 only). Per system and rep:
#   bulk        a 200 MiB download, plain HTTP and intercepted HTTPS (MB/s)
#   new conns   wrk with `Connection: close` for 1 KiB, plain and intercepted (connections/s)
#   loss        tun only: the HTTP download with 1 % of the TUN's packets dropped (nftables
#               numgen; this kernel has no netem)
# and the CPU seconds per GB of Warden's process and of its packet loop thread (tun).
# Prints medians and the ratios the packet path issue names. Needs root, wrk, nginx.
#
#   bench/packet.sh [-d SECONDS] [-r REPS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARDEN=${WARDEN_BIN:-$ROOT/build/release/warden}
DURATION=8 REPS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    -d) DURATION=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "packet.sh needs root (network namespaces, a TUN)" >&2; exit 1; }
[[ -x $WARDEN ]] || { echo "build Warden first (make)" >&2; exit 1; }
for b in nginx wrk nft openssl curl; do
  command -v $b >/dev/null || { echo "missing $b (apt-get install $b)" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/warden-packet-XXXXXX)
chmod 755 "$WORK"
DEV=wpk-dev-$$ WEB=wpk-web-$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in $DEV $WEB; do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
for n in $DEV $WEB; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add pkd0 netns "$DEV" type veth peer name pkw0 netns "$WEB"
ip -n "$DEV" addr add 198.18.1.1/30 dev pkd0; ip -n "$WEB" addr add 198.18.1.2/30 dev pkw0
ip -n "$DEV" link set pkd0 up; ip -n "$WEB" link set pkw0 up
ip -n "$WEB" addr add 198.19.5.5/32 dev lo
ip -n "$DEV" route add default via 198.18.1.2; ip -n "$WEB" route add default via 198.18.1.1

(cd "$WORK" &&
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-root \
    -addext keyUsage=critical,keyCertSign -keyout root.key -out root.pem &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=198.19.5.5 \
    -keyout leaf.key -out leaf.csr &&
  printf 'subjectAltName=IP:198.19.5.5\nextendedKeyUsage=serverAuth\n' >leaf.ext &&
  openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -days 2 \
    -extfile leaf.ext -out leaf.pem) >/dev/null 2>&1
mkdir -p "$WORK/www"
head -c 1024 /dev/urandom >"$WORK/www/1k"
head -c $((200 * 1024 * 1024)) /dev/urandom >"$WORK/www/200m"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; sendfile on;
  server { listen 198.19.5.5:80; listen 198.19.5.5:443 ssl; root $WORK/www;
    ssl_certificate $WORK/leaf.pem; ssl_certificate_key $WORK/leaf.key; } }
CONF
ip netns exec "$WEB" nginx -c "$WORK/nginx.conf" -p "$WORK" & PIDS+=($!)

ticks() { awk '{print $14 + $15}' "$1"; }
packet_thread() {  # the packet loop's /proc stat file (tun), or empty
  for t in /proc/"$1"/task/*; do
    [[ $(cat "$t/comm") == warden-packets ]] && { echo "$t/stat"; return; }
  done
}
RESULTS=$WORK/packet.tsv
printf "system\trep\tmetric\tvalue\tcpu_s_per_GB\tloop_cpu_s_per_GB\n" >"$RESULTS"
download() {  # URL -> "MB/s cpu/GB loop-cpu/GB"
  local before=$(ticks /proc/$PROXY/stat) loop_before=0 loop
  loop=$(packet_thread $PROXY); [[ -n $loop ]] && loop_before=$(ticks "$loop")
  local mbs=$(ip netns exec "$DEV" curl -sS -k -o /dev/null -w '%{speed_download}' "$1")
  local after=$(ticks /proc/$PROXY/stat) loop_after=0
  [[ -n $loop ]] && loop_after=$(ticks "$loop")
  python3 -c "gb=200*1024*1024/1e9; print(round($mbs/1e6), round(($after-$before)/100/gb, 3), round(($loop_after-$loop_before)/100/gb, 3))"
}
for ((rep = 1; rep <= REPS; rep++)); do
  for sys in local tun; do
    ip netns exec "$DEV" "$WARDEN" run --capture $sys --listen 127.0.0.1:3128 --threads 1 \
      --state-dir "$WORK/state-$sys" --access-log off \
      --upstream-ca "$WORK/root.pem" --log-level info 2>"$WORK/warden-$sys.err" &
    PROXY=$!; PIDS+=("$PROXY")
    # Ready once its banner is out (capture installed): a connection opened before would not be
    # captured (local) or would be reset (tun).
    for _ in $(seq 100); do grep -q "Stop with Ctrl-C" "$WORK/warden-$sys.err" && break; sleep 0.1; done
    for scheme in http https; do
      read -r mbs cpu loop <<<"$(download $scheme://198.19.5.5/200m)"
      printf "%s\t%s\tbulk-%s\t%s\t%s\t%s\n" $sys $rep $scheme "$mbs" "$cpu" "$loop" >>"$RESULTS"
      echo "  $sys rep $rep bulk $scheme: $mbs MB/s, Warden $cpu s/GB (loop $loop)" >&2
      ip netns exec "$DEV" wrk -t1 -c 20 -d "${DURATION}s" -H "Connection: close" \
        $scheme://198.19.5.5/1k >"$WORK/wrk.txt"
      cps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
      printf "%s\t%s\tconn-%s\t%s\t\t\n" $sys $rep $scheme "$cps" >>"$RESULTS"
      errors=$(grep -E 'Non-2xx|Socket errors' "$WORK/wrk.txt" || true)
      echo "  $sys rep $rep new connections $scheme: $cps/s ${errors}" >&2
      [[ -z $errors ]] || { echo "errors: the figure does not count" >&2; cps=nan; }
    done
    if [[ $sys == tun ]]; then
      ip netns exec "$DEV" nft -f - <<'NFT'
table inet tunloss {
  chain out { type filter hook output priority 0; oifname "warden0" numgen random mod 100 < 1 drop; }
  chain in { type filter hook prerouting priority 0; iifname "warden0" numgen random mod 100 < 1 drop; }
}
NFT
      read -r mbs cpu loop <<<"$(download http://198.19.5.5/200m)"
      printf "%s\t%s\tbulk-loss\t%s\t%s\t%s\n" $sys $rep "$mbs" "$cpu" "$loop" >>"$RESULTS"
      echo "  $sys rep $rep bulk http with 1% loss: $mbs MB/s" >&2
      ip netns exec "$DEV" nft delete table inet tunloss
    fi
    kill "$PROXY"; wait "$PROXY" 2>/dev/null || true
    ip netns exec "$DEV" "$WARDEN" capture remove --capture $sys >/dev/null 2>&1 || true
  done
done
python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def med(s, m, k="value"):
    v = [float(r[k]) for r in rows if r["system"] == s and r["metric"] == m and r[k] != ""]
    return statistics.median(v) if v else float("nan")
def ratio(a, b):
    return a / b if b else float("nan")
print("| on-device, one worker (median) | local (nft redirect) | tun (packet path) | tun / local |")
print("|---|---|---|---|")
for m, label in (("bulk-http", "200 MiB HTTP, MB/s"), ("bulk-https", "200 MiB HTTPS (bumped), MB/s"),
                 ("conn-http", "new HTTP connections/s"), ("conn-https", "new HTTPS connections/s (bumped)")):
    print(f"| {label} | {med('local', m):,.0f} | {med('tun', m):,.0f} | {ratio(med('tun', m), med('local', m)):.2f} |")
print(f"| 200 MiB HTTP with 1 % loss, MB/s | — | {med('tun', 'bulk-loss'):,.0f} | "
      f"{ratio(med('tun', 'bulk-loss'), med('tun', 'bulk-http')):.2f} of tun loss-free |")
print(f"| Warden CPU s per GB, HTTP bulk | {med('local', 'bulk-http', 'cpu_s_per_GB')} | "
      f"{med('tun', 'bulk-http', 'cpu_s_per_GB')} | |")
print(f"| packet loop thread CPU s per GB, HTTP bulk | — | {med('tun', 'bulk-http', 'loop_cpu_s_per_GB')} | |")
PY
