#!/usr/bin/env bash
# Installs what Warden needs to build, run and test, from Debian 12's apt repositories.
# Idempotent: when every package is present it does nothing (no apt-get update, no sudo).
# `install-deps.sh package` adds what the Debian package and its system test need (make deb,
# make test-package).
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ make cmake ninja-build ccache pkg-config clang-format
  # make fuzz / fuzz-run / clang / tidy (docs/fuzzing.md): clang-16 builds the whole tree with
  # ASan+UBSan+libFuzzer (clang-14 cannot, with coroutines); its symbolizer names the frames;
  # llhttp's C sources are the second parser of the differential HTTP target
  clang-16 libclang-rt-16-dev llvm-16 clang-tidy-16 node-llhttp
  # libraries (../shared/DESIGN.md, Dependencies)
  libboost1.81-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  libssl-dev libnghttp2-dev libre2-dev libidn2-dev zlib1g-dev libsystemd-dev libseccomp-dev
  # `warden lists update`: the HTTPS fetch (libcurl) and the archive (libarchive)
  libcurl4-openssl-dev libarchive-dev
  # the activity database behind the dashboard (docs/admin.md)
  libsqlite3-dev
  # phrase scanning of pages (src/analysis): Vectorscan (never libhyperscan-dev, they conflict),
  # the content decoders, charset detection and Unicode case folding
  libvectorscan-dev libbrotli-dev libzstd-dev libuchardet-dev libutf8proc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev curl openssl python3 ca-certificates procps
  iproute2 util-linux nftables
  # phrase scanning tests: bodies compressed as servers send them (br, zstd)
  brotli zstd
  # HTTP/2: nginx (http2 on) as the origin, h2load and nghttp for tests and benchmarks
  nginx nghttp2-client
  # a balancer in front of Warden (PROXY protocol, docs/fleet.md)
  haproxy
  # sign-in against a school's directory (docs/identity.md): OpenLDAP's client library, and
  # slapd with its tools as the directory the tests start; MIT Kerberos' GSSAPI for tickets
  # (Negotiate), and a KDC with its tools for the tests
  libldap-dev slapd ldap-utils libkrb5-dev krb5-kdc krb5-admin-server krb5-user
  # a real Prometheus scraping the admin listener's /metrics (docs/admin.md)
  prometheus
  # the browser test (headless Chromium trusting the school CA through an NSS db)
  chromium libnss3-tools fonts-dejavu-core
)

if [[ ${1:-} == package ]]; then
  PACKAGES+=(
    # building the .deb (debian/) and checking it
    dpkg-dev debhelper help2man lintian fakeroot
    # a Debian 12 system booted with systemd in a container, to install it into
    debootstrap systemd-container
  )
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo for: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q >&2
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
