# Sourced by the gateway benchmarks: three network namespaces this script creates and removes on
# exit (198.18.0.0/15 only): CLI 198.18.1.2 -> RTR 198.18.1.1 | 198.18.2.1 (forwarding) ->
# SRV 198.18.2.2. Needs WORK (a temp folder, removed too); PIDS collects processes to stop.
CLI=wgb-cli-$$ RTR=wgb-rtr-$$ SRV=wgb-srv-$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in $CLI $RTR $SRV; do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

for n in $CLI $RTR $SRV; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add gbc0 netns "$CLI" type veth peer name gbrc0 netns "$RTR"
ip link add gbs0 netns "$SRV" type veth peer name gbrs0 netns "$RTR"
ip -n "$CLI" addr add 198.18.1.2/24 dev gbc0
ip -n "$RTR" addr add 198.18.1.1/24 dev gbrc0
ip -n "$RTR" addr add 198.18.2.1/24 dev gbrs0
ip -n "$SRV" addr add 198.18.2.2/24 dev gbs0
for pair in "$CLI gbc0" "$RTR gbrc0" "$RTR gbrs0" "$SRV gbs0"; do set -- $pair; ip -n "$1" link set "$2" up; done
ip -n "$CLI" route add default via 198.18.1.1
ip -n "$SRV" route add default via 198.18.2.1
ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1

