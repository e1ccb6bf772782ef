#!/usr/bin/env bash
# The dashboard's activity database at a school's scale (docs/admin.md, docs/performance.md):
#   1. build/release/tests/observe/activity_bench: N synthetic access records (default 10 M, 30
#      days) written through the store as workers hand them over, then the report queries
#      timed (median of 5 each);
#   2. keep-alive requests/s through the bumped path with the database on and off, alternating,
#      REPS pairs of bench/profile.sh runs (its origin and load client: ../shared/bench), each
#      with a fresh database; the ratio of the medians.
#
#   bench/activity.sh [-n ROWS] [-r REPS] [-d SECONDS] [--skip-rows] [--skip-ab]
set -euo pipefail

ROWS=10000000 REPS=5 DURATION=8 DO_ROWS=1 DO_AB=1
while [[ $# -gt 0 ]]; do
  case $1 in
    -n) ROWS=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -d) DURATION=$2; shift 2 ;;
    --skip-rows) DO_ROWS=0; shift ;;
    --skip-ab) DO_AB=0; shift ;;
    *) echo "usage: bench/activity.sh [-n ROWS] [-r REPS] [-d SECONDS] [--skip-rows] [--skip-ab]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
BENCH=build/release/tests/observe/activity_bench
WORK=$(mktemp -d /tmp/warden-activity-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [[ $DO_ROWS == 1 ]]; then
  [[ -x $BENCH ]] || { echo "bench/activity.sh: build the release preset first (make)" >&2; exit 2; }
  echo "== $ROWS synthetic records"
  "$BENCH" --rows "$ROWS" --dir "$WORK/rows"
  rm -rf "$WORK/rows"
fi

if [[ $DO_AB == 1 ]]; then
  printf '[admin]\ndatabase = "off"\n' >"$WORK/no-database.toml"
  STATE=/tmp/tlsbench/warden
  on=() off=()
  rate() { sed -n 's/^keepalive: \([0-9,]*\)\/s.*/\1/p' | tr -d ,; }
  echo "== keep-alive through the bumped path, database on / off ($REPS pairs of ${DURATION} s)"
  for _ in $(seq "$REPS"); do
    rm -f "$STATE"/admin/activity.db*
    line=$(bench/profile.sh keepalive -d "$DURATION" | tail -1); echo "on:  $line"; on+=("$(rate <<<"$line")")
    line=$(WARDEN_ARGS="-c $WORK/no-database.toml" bench/profile.sh keepalive -d "$DURATION" | tail -1)
    echo "off: $line"; off+=("$(rate <<<"$line")")
  done
  python3 - "${on[*]}" "${off[*]}" <<'PY'
import statistics, sys
on = [int(x) for x in sys.argv[1].split()]
off = [int(x) for x in sys.argv[2].split()]
print(f"median on {statistics.median(on):,.0f}/s, off {statistics.median(off):,.0f}/s: "
      f"{statistics.median(on) / statistics.median(off):.3f}x")
PY
fi
