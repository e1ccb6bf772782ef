#!/usr/bin/env bash
# Builds warden_<version>_<arch>.deb with Debian's own tooling (dpkg-buildpackage, debhelper;
# debian/) from a copy of the working tree in build/deb/, so the clone stays clean, then checks
# it with lintian. Prints the .deb's path on stdout. Usage: scripts/build-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh package

version=$(dpkg-parsechangelog -S Version)
upstream=${version%-*}
program_version=$(sed -n 's/.*kVersion = "\(.*\)".*/\1/p' src/app/version.hpp)
if [[ $upstream != "$program_version" ]]; then
  echo "build-deb: debian/changelog says $upstream, src/app/version.hpp says $program_version" >&2
  exit 1
fi

out=build/deb
src=$out/warden-$upstream
# The copy is refreshed, its build folder (obj-*) kept: times preserved, ninja rebuilds only
# what changed.
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name 'obj-*' -exec rm -rf {} +
# What git knows or would know of (tracked and new files), never build output.
git ls-files -z --cached --others --exclude-standard | xargs -0 cp -p --parents -t "$src"

(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
  dpkg-buildpackage -b -us -uc --no-pre-clean >../build.log 2>&1) || {
  tail -40 $out/build.log >&2
  echo "build-deb: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
  exit 1
}
deb=$out/warden_${version}_$(dpkg --print-architecture).deb
# Overrides with their reasons: debian/warden.lintian-overrides.
lintian --fail-on error,warning "$deb" >&2
echo "$deb"
