#!/usr/bin/env bash
# Runs a Windows test program under Wine (the Windows build's CMAKE_CROSSCOMPILING_EMULATOR).
# Wine itself now and then fails to start a process while another one's wineserver is shutting
# down: it exits non-zero at once having printed nothing, or only "wine client error:". That
# start, and only that (a program that ran prints something), is tried again, at most twice;
# everything else passes through.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for attempt in 1 2 3; do
  wine "$@" >"$out" 2>&1
  rc=$?
  # Wine says this and exits 0 when what it was given is not a Windows program: a failure.
  if grep -q "^Application could not be started" "$out"; then
    cat "$out"
    exit 127
  fi
  # A start that lost its wineserver says only this ("wine client error:0: recvmsg: ...").
  if [[ $rc -ne 0 ]] && ! grep -qv -e "^wine client error:" -e "^\s*$" "$out"; then
    : >"$out"
  fi
  if [[ $rc -eq 0 || -s $out ]]; then
    cat "$out"
    exit $rc
  fi
  echo "wine-run: wine exited $rc before the program printed anything (attempt $attempt)" >&2
  sleep 1
done
exit $rc
