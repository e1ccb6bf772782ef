#!/usr/bin/env bash
# What relaying non-web traffic through Warden costs: a bulk transfer of a protocol that is
# neither HTTP nor TLS (on port 5001, which `capture.ports = "all"` captures and Warden relays
# with splice(2)) from the server namespace to the client, routed directly by the router
# versus through Warden (redirect mode, one worker) on the router. Namespaces as in gateway.sh
# (bench/topology.sh), 198.18.0.0/15 only, removed on exit. Needs root.
# Prints MB/s per system (median over REPS) and the router-side process's CPU seconds per GB.
#
#   bench/relay.sh [-s MiB] [-r REPS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARDEN=${WARDEN_BIN:-$ROOT/build/release/warden}
SIZE_MIB=2048 REPS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    -s) SIZE_MIB=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "relay.sh needs root (network namespaces, nftables)" >&2; exit 1; }
[[ -x $WARDEN ]] || { echo "build Warden first (make)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/warden-relay-XXXXXX)
source "$ROOT/bench/topology.sh"

# The server: on "give N\n" it sends N bytes (sendfile from a file in memory) and closes.
head -c $((64 * 1024 * 1024)) /dev/urandom >/dev/shm/warden-relay-$$
trap 'rm -f /dev/shm/warden-relay-$$; cleanup' EXIT
cat >"$WORK/server.py" <<'PY'
import os, socket, sys, threading
blob = sys.argv[1]
srv = socket.create_server(("198.18.2.2", 5001), backlog=64)
def serve(c):
    with c, open(blob, "rb") as f:
        n = int(c.makefile("rb").readline().split()[1])
        size = os.fstat(f.fileno()).st_size
        while n > 0:
            sent = c.sendfile(f, 0, min(n, size))
            n -= sent
print("ready", flush=True)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
cat >"$WORK/client.py" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
s = socket.create_connection(("198.18.2.2", 5001))
start = time.monotonic()
s.sendall(f"give {n}\n".encode())
buf = memoryview(bytearray(1 << 20))
got = 0
while (k := s.recv_into(buf)) > 0:
    got += k
took = time.monotonic() - start
assert got == n, (got, n)
print(f"{n / took / 1e6:.0f}")
PY
ip netns exec "$SRV" python3 "$WORK/server.py" /dev/shm/warden-relay-$$ >"$WORK/server.out" & PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/server.out" && break; sleep 0.1; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
BYTES=$((SIZE_MIB * 1024 * 1024))
printf "system\trep\tMBps\tcpu_s_per_GB\n" >"$WORK/relay.tsv"
for ((rep = 1; rep <= REPS; rep++)); do
  for sys in routed warden; do
    PROXY=""
    if [[ $sys == warden ]]; then
      ip netns exec "$RTR" "$WARDEN" run --capture redirect --listen 127.0.0.1:3128 --threads 1 \
        --state-dir "$WORK/state" --access-log off --log-level warn 2>"$WORK/warden.err" &
      PROXY=$!; PIDS+=("$PROXY")
      for _ in $(seq 100); do ip netns exec "$RTR" nft list table inet warden >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    before=0; [[ -n $PROXY ]] && before=$(cpu_ticks "$PROXY")
    mbps=$(ip netns exec "$CLI" python3 "$WORK/client.py" $BYTES)
    after=0; [[ -n $PROXY ]] && after=$(cpu_ticks "$PROXY")
    cpu=$(python3 -c "print(round(($after - $before) / 100 / ($BYTES / 1e9), 3))")
    printf "%s\t%s\t%s\t%s\n" $sys $rep "$mbps" "$cpu" >>"$WORK/relay.tsv"
    echo "  $sys rep $rep: $mbps MB/s, relay CPU $cpu s/GB" >&2
    if [[ -n $PROXY ]]; then kill "$PROXY"; wait "$PROXY" 2>/dev/null || true
      ip netns exec "$RTR" nft delete table inet warden 2>/dev/null || true; fi
  done
done
python3 - "$WORK/relay.tsv" "$SIZE_MIB" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = lambda s, k: statistics.median(float(r[k]) for r in rows if r["system"] == s)
print(f"| non-web bulk transfer, {sys.argv[2]} MiB (median) | MB/s | relay CPU s/GB |")
print("|---|---|---|")
print(f"| routed | {med('routed', 'MBps'):,.0f} | — |")
print(f"| through Warden (splice) | {med('warden', 'MBps'):,.0f} | {med('warden', 'cpu_s_per_GB')} |")
print(f"\nWarden / routed: {med('warden', 'MBps') / med('routed', 'MBps'):.2f}")
PY
