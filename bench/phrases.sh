#!/usr/bin/env bash
# Phrase scanning beside e2guardian (docs/analysis.md, "Phrase scanning"), in one run, loopback
# only, one worker each: wrk fetching a 100 KiB HTML page (gzipped, as browsers ask for it, and
# plain) with absolute-form requests through
#   warden          Warden with no [[phrases]] rule (the page is relayed as it streams),
#   warden-phrases  Warden scanning it with e2guardian's own lists (Debian's package: the
#                   weighted, banned and exception lists it enables by default, 6,905 entries,
#                   lenient, limit 160),
#   e2guardian      e2guardian 5.3.5 with the same lists (its default configuration, which
#                   scores every text/html page; naughtynesslimit 160),
# and straight at the origin (the limit). Prints requests/s, p50/p99 latency and the proxy's
# CPU per 10k requests at 50 connections, and the latency of one connection's requests
# one at a time (what holding a page costs a pupil). The page is clean (it scores below the
# limit everywhere): the numbers are the cost of scanning, not of blocking.
#
# Then the agreement: every page of the project's corpus (tests/analysis/pages) fetched through
# both with the same lists and limit, and where they decide differently.
#
#   bench/phrases.sh [-d SECONDS] [-r REPS] [-c CONNECTIONS] [-a]   (-a: the agreement only)
# Needs root for e2guardian (it reads /etc/e2guardian, given a private copy in a mount
# namespace); installs e2guardian from Debian when missing (its own service stopped).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARDEN=${WARDEN_BIN:-$ROOT/build/release/warden}
ALLOW_LOOPBACK="--allow-destination 127.0.0.0/8 --allow-destination ::1/128"
DURATION=10 REPS=3 CONC=50 AGREEMENT_ONLY=0
while [[ $# -gt 0 ]]; do
  case $1 in
    -d) DURATION=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -c) CONC=$2; shift 2 ;;
    -a) AGREEMENT_ONLY=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "phrases.sh: needs root (e2guardian's mount namespace)" >&2; exit 1; }
[[ -x $WARDEN ]] || { echo "build Warden first (make)" >&2; exit 1; }
OUT=${OUT:-$ROOT/bench/out/phrases-$(date +%Y%m%d-%H%M%S)}
WORK=/tmp/warden-bench-phrases
rm -rf "$WORK"; mkdir -p "$OUT" "$WORK"
for b in nginx wrk; do
  command -v "$b" >/dev/null || { echo "phrases.sh: $b missing (../shared/bench/install.sh)" >&2; exit 1; }
done
if ! command -v e2guardian >/dev/null; then
  echo "installing e2guardian from Debian" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends e2guardian >&2
fi
if command -v systemctl >/dev/null && systemctl is-active --quiet e2guardian 2>/dev/null; then
  systemctl stop e2guardian
fi

ORIGIN_PORT=18280 WARDEN_PORT=13281 E2G_PORT=13282
declare -A PIDS=()
stop() {
  local p=${PIDS[$1]:-}
  if [[ -n $p ]]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  unset "PIDS[$1]"
}
stop_all() { for k in "${!PIDS[@]}"; do stop "$k"; done; }
trap stop_all EXIT
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu_ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
# e2guardian runs as a tree (unshare, then e2guardian and its workers): every process in it.
tree_pids() { local p=$1; echo "$p"; for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree_pids "$c"; done; }

# --- the page: 100 KiB of ordinary English (the GPL's text) as HTML; nginx gzips it ----------
mkdir -p "$WORK/www" "$WORK/nginx"
: >"$WORK/www/page.tmp"
{
  echo "<!DOCTYPE html><html><head><meta charset=utf-8><title>Licence</title></head><body>"
  while [[ $(wc -c <"$WORK/www/page.tmp") -lt 100000 ]]; do
    sed 's/&/\&amp;/g; s/</\&lt;/g; s/^$/<p>/' /usr/share/common-licenses/GPL-3 >>"$WORK/www/page.tmp"
  done
  head -c 100000 "$WORK/www/page.tmp"
  echo "</body></html>"
} >"$WORK/www/page.html"
rm -f "$WORK/www/page.tmp"
# Compressed once here (gzip_static): the origin does not spend the run compressing.
gzip -k -6 "$WORK/www/page.html"
# The corpus, gzipped by nginx as it goes (gzip on).
CORPUS=$ROOT/tests/analysis/pages
mkdir -p "$WORK/www/corpus"
cp "$CORPUS"/*.html "$WORK/www/corpus/"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
  gzip on; gzip_static on; gzip_proxied any; gzip_vary on;
  server { listen 127.0.0.1:$ORIGIN_PORT; root $WORK/www; default_type text/html; } }
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" & PIDS[origin]=$!
wait_port $ORIGIN_PORT

# --- the lists: e2guardian's, as its package installs them --------------------------------------
LISTS=/etc/e2guardian/lists
cat >"$WORK/policy.toml" <<TOML
[[phrases]]
name = "e2guardian's lists"
weighted = ["$LISTS/weightedphraselist"]
banned = ["$LISTS/bannedphraselist"]
exception = ["$LISTS/exceptionphraselist"]
limit = 160
lenient = true
TOML

# --- e2guardian: a private copy of /etc/e2guardian, no daemon, no log, plain HTTP ---------------
# (It drops to its own user: its log and pid files are made for it.)
E2G=$WORK/e2g
cp -a /etc/e2guardian "$E2G"
touch "$WORK/e2g-access.log" "$WORK/e2guardian.pid"
chown e2guardian "$WORK/e2g-access.log" "$WORK/e2guardian.pid"
sed -i -E \
  -e "s|^filterip =.*|filterip = 127.0.0.1|" \
  -e "s|^filterports = .*|filterports = $E2G_PORT|" \
  -e "s|^nodaemon = .*|nodaemon = on|" \
  -e "s|^#?pidfilename = .*|pidfilename = '$WORK/e2guardian.pid'|" \
  -e "s|^#?loglocation = .*|loglocation = '$WORK/e2g-access.log'|" \
  -e "s|^loglevel = .*|loglevel = 0|" \
  "$E2G/e2guardian.conf"
sed -i -E -e "s|^naughtynesslimit = .*|naughtynesslimit = 160|" "$E2G/e2guardianf1.conf"

start_system() {
  case $1 in
    direct) return 0 ;;
    warden | warden-phrases)
      local policy=(); [[ $1 == warden-phrases ]] && policy=(--policy "$WORK/policy.toml")
      "$WARDEN" run --listen 127.0.0.1:$WARDEN_PORT --threads 1 --state-dir "$WORK/state" $ALLOW_LOOPBACK \
        --access-log off --log-level warn "${policy[@]}" 2>"$WORK/warden.err" & PIDS[proxy]=$!
      wait_port $WARDEN_PORT ;;
    e2guardian)
      unshare -m sh -c "mount --bind '$E2G' /etc/e2guardian && exec e2guardian -N -c /etc/e2guardian/e2guardian.conf" \
        >"$WORK/e2g.out" 2>&1 & PIDS[proxy]=$!
      wait_port $E2G_PORT || { cat "$WORK/e2g.out" >&2; exit 1; } ;;
  esac
}
stop_system() {
  # e2guardian ignores SIGTERM (for minutes, seen here): it is killed.
  [[ $1 == e2guardian ]] && { kill -KILL $(tree_pids "${PIDS[proxy]}") 2>/dev/null || true; }
  stop proxy
}
target_port() { case $1 in direct) echo $ORIGIN_PORT ;; e2guardian) echo $E2G_PORT ;; *) echo $WARDEN_PORT ;; esac; }

# wrk through an explicit proxy (absolute-form targets) and straight at the origin, asking for
# the page gzipped, as browsers do, and plain.
for enc in gzip plain; do
  accept=', ["Accept-Encoding"] = "gzip"'; [[ $enc == plain ]] && accept=""
  cat >"$WORK/absolute-$enc.lua" <<LUA
request = function()
  return wrk.format("GET", "http://127.0.0.1:$ORIGIN_PORT/page.html",
    { ["Host"] = "127.0.0.1:$ORIGIN_PORT"$accept })
end
LUA
  cat >"$WORK/direct-$enc.lua" <<LUA
request = function() return wrk.format("GET", "/page.html", { ["Host"] = "127.0.0.1"$accept }) end
LUA
done

to_ms() { python3 -c "import re,sys; v=sys.argv[1]; m=re.match(r'([\d.]+)(us|ms|s)', v); f={'us':1e-3,'ms':1,'s':1e3}[m.group(2)]; print(round(float(m.group(1))*f, 3))" "$1"; }
RESULTS=$OUT/phrases.tsv
printf "system\tpage\trep\tconnections\trps\tp50_ms\tp99_ms\tcpu_s_per_10k\n" >"$RESULTS"

[[ $AGREEMENT_ONLY == 1 ]] && REPS=0
[[ $AGREEMENT_ONLY == 0 ]] && echo "== 100 KiB HTML page (gzip and plain), ${DURATION}s x $REPS, $CONC connections and 1" >&2
for ((rep = 1; rep <= REPS; rep++)); do
  for sys in direct warden warden-phrases e2guardian; do
    start_system $sys
    port=$(target_port $sys)
    # The answer must be the page, not a block or an error (the check that scanning ran and let it through).
    body=$(curl -s --max-time 20 --compressed -x "http://127.0.0.1:$port" "http://127.0.0.1:$ORIGIN_PORT/page.html" 2>/dev/null || true)
    [[ $sys == direct ]] && body=$(curl -s --compressed "http://127.0.0.1:$ORIGIN_PORT/page.html")
    [[ $body == *"GNU GENERAL PUBLIC LICENSE"* ]] || { echo "$sys did not pass the page through" >&2; exit 1; }
    kind=absolute; [[ $sys == direct ]] && kind=direct
    wrk -t1 -c "$CONC" -d 2s -s "$WORK/$kind-gzip.lua" "http://127.0.0.1:$port/" >/dev/null  # warm-up
    for run in "gzip $CONC" "gzip 1" "plain $CONC" "plain 1"; do
      read -r enc c <<<"$run"
      script=$WORK/$kind-$enc.lua
      pids=$(tree_pids "${PIDS[origin]}"); [[ $sys != direct ]] && pids=$(tree_pids "${PIDS[proxy]}")
      before=$(cpu_ticks $pids)
      wrk -t1 -c "$c" -d "${DURATION}s" --latency -s "$script" "http://127.0.0.1:$port/" >"$OUT/wrk-$sys-$enc-$c-$rep.txt"
      after=$(cpu_ticks $pids)
      rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$sys-$enc-$c-$rep.txt")
      reqs=$(awk '/requests in/ {print $1}' "$OUT/wrk-$sys-$enc-$c-$rep.txt")
      p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$sys-$enc-$c-$rep.txt")")
      p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$sys-$enc-$c-$rep.txt")")
      cpu=$(python3 -c "print(round(($after - $before) / $(getconf CLK_TCK) / max($reqs, 1) * 10000, 3))")
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$sys" "$enc" "$rep" "$c" "$rps" "$p50" "$p99" "$cpu" >>"$RESULTS"
      printf "  %-15s %-5s rep %s  c=%-3s %9s req/s  p50 %7s ms  p99 %7s ms  cpu/10k %s s\n" \
        "$sys" "$enc" "$rep" "$c" "$rps" "$p50" "$p99" "$cpu" >&2
    done
    stop_system $sys
  done
done

[[ $AGREEMENT_ONLY == 0 ]] && python3 - "$RESULTS" <<'PY' | tee "$OUT/summary.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| page | system | connections | req/s (median) | p50 ms | p99 ms | CPU s per 10k |")
print("|---|---|---|---|---|---|---|")
for page in ("gzip", "plain"):
    for c in sorted({r["connections"] for r in rows}, key=int, reverse=True):
        for sys_ in ("direct", "warden", "warden-phrases", "e2guardian"):
            rs = [r for r in rows if (r["system"], r["page"], r["connections"]) == (sys_, page, c)]
            if not rs:
                continue
            med = lambda k: statistics.median(float(r[k]) for r in rs)
            print(f"| {page} | {sys_} | {c} | {med('rps'):,.0f} | {med('p50_ms')} | {med('p99_ms')} "
                  f"| {med('cpu_s_per_10k')} |")
PY
# --- agreement: a page is blocked when what comes back is not the page ----------------------
AGREE=$OUT/agreement.tsv
printf "system\tpage\tdecision\n" >"$AGREE"
for sys in warden-phrases e2guardian; do
  start_system $sys
  for page in "$WORK"/www/corpus/*.html; do
    name=$(basename "$page")
    got=$(curl -s --max-time 20 --compressed -x "http://127.0.0.1:$(target_port $sys)" \
      "http://127.0.0.1:$ORIGIN_PORT/corpus/$name" | sha256sum)
    decision=block; [[ $got == "$(sha256sum <"$page")" ]] && decision=allow
    printf "%s\t%s\t%s\n" "$sys" "$name" "$decision" >>"$AGREE"
  done
  stop_system $sys
done
python3 - "$AGREE" "$CORPUS/labels.tsv" <<'PY' | tee "$OUT/agreement.md"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
why = {l.split("\t")[0]: l.rstrip("\n").split("\t")[2] for l in open(sys.argv[2]) if l[0] != "#"}
got = {(r["system"], r["page"]): r["decision"] for r in rows}
pages = sorted({r["page"] for r in rows})
same = [p for p in pages if got[("warden-phrases", p)] == got[("e2guardian", p)]]
print(f"Agreement on the corpus: {len(same)} of {len(pages)} pages decided alike.\n")
print("| page | Warden | e2guardian | the page |")
print("|---|---|---|---|")
for p in pages:
    w, e = got[("warden-phrases", p)], got[("e2guardian", p)]
    mark = "" if w == e else " **differs**"
    print(f"| {p} | {w} | {e}{mark} | {why.get(p, '')} |")
PY
echo "results: $OUT" >&2
