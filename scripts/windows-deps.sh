#!/usr/bin/env bash
# Builds what Warden links for Windows (x86_64, MinGW-w64, static) from Debian's own source
# packages, into a cache outside the clone keyed by the versions, so a second run (and CI on the
# same machine) only prints the prefix. No download from anywhere but Debian's mirror: sources
# come from `apt-get source` through a private apt configuration this script owns (deb-src is
# not enabled system-wide). Header-only libraries (Boost.Asio/Beast, fmt, spdlog, toml++, CLI11)
# are Debian's installed headers, exposed alone through a folder of symlinks.
#
#   scripts/windows-deps.sh   -> prints the prefix (for WARDEN_MINGW_PREFIX)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Versions the mirror serves. OpenSSL: the security update's orig tarball (its .dsc is missing
# on the mirror, so the source package cannot be unpacked whole; the upstream tarball is all a
# MinGW build needs).
OPENSSL=3.0.22 OPENSSL_DEB=3.0.22-1~deb12u2
NGHTTP2=1.52.0 NGHTTP2_DEB=1.52.0-1+deb12u3
RE2=20220601 RE2_DEB=20220601+dfsg-1
IDN2=2.3.3 IDN2_DEB=2.3.3-1
GTEST=1.12.1 GTEST_DEB=1.12.1-0.2
SCRIPT_VERSION=2
KEY="v${SCRIPT_VERSION}-openssl${OPENSSL}-nghttp2${NGHTTP2}-re2${RE2}-idn2${IDN2}-gtest${GTEST}"
CACHE=${WARDEN_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warden/mingw}
PREFIX=$CACHE/$KEY
if [[ -f $PREFIX/.complete ]]; then echo "$PREFIX"; exit 0; fi

log() { echo "windows-deps: $*" >&2; }
HOST_PACKAGES=(g++-mingw-w64-x86-64-posix mingw-w64-tools libz-mingw-w64-dev wine wine64
  dpkg-dev unicode-data perl python3 cmake ninja-build make xz-utils libboost1.81-dev
  libfmt-dev libspdlog-dev libtomlplusplus-dev libcli11-dev)
missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=(); [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >&2
fi

WORK=$CACHE/work-$KEY
rm -rf "$WORK" "$PREFIX"
mkdir -p "$WORK/src" "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" \
  "$WORK/apt/sources" "$PREFIX"
cat >"$WORK/apt/sources/deb-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
APT=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$WORK/apt/sources"
  -o Dir::State::Lists="$WORK/apt/lists" -o Dir::Cache="$WORK/apt/cache"
  -o APT::Sandbox::User=root)
log "fetching Debian source packages"
apt-get "${APT[@]}" update -q >&2
cd "$WORK/src"
for p in "nghttp2=$NGHTTP2_DEB" "re2=$RE2_DEB" "libidn2=$IDN2_DEB" "googletest=$GTEST_DEB"; do
  apt-get "${APT[@]}" source -q "$p" >&2
done
apt-get "${APT[@]}" source --download-only -q "openssl=$OPENSSL_DEB" >&2 || true
[[ -f openssl_$OPENSSL.orig.tar.gz ]] || { log "openssl_$OPENSSL.orig.tar.gz not served"; exit 1; }
tar xzf "openssl_$OPENSSL.orig.tar.gz"

CROSS=x86_64-w64-mingw32
TOOLCHAIN=$ROOT/cmake/mingw-w64.cmake
JOBS=$(nproc)

log "OpenSSL $OPENSSL"
(cd "openssl-$OPENSSL" &&
  ./Configure mingw64 no-shared no-tests --cross-compile-prefix=$CROSS- --prefix="$PREFIX" \
    --libdir=lib >&2 && make -j"$JOBS" build_libs >&2 && make install_dev >&2)

log "nghttp2 $NGHTTP2"
cmake -S "nghttp2-$NGHTTP2" -B build-nghttp2 -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" -DENABLE_LIB_ONLY=ON \
  -DENABLE_STATIC_LIB=ON -DENABLE_SHARED_LIB=OFF \
  -DHAVE_CLOCK_GETTIME=0 >&2  # 1.52 with both clock_gettime and GetTickCount64 fails to link
cmake --build build-nghttp2 >&2 && cmake --install build-nghttp2 >&2

log "RE2 $RE2 (the +dfsg source drops three generated tables: made again from unicode-data)"
(cd "re2-$RE2+dfsg" &&
  perl re2/make_perl_groups.pl >re2/perl_groups.cc &&
  python3 re2/make_unicode_casefold.py >re2/unicode_casefold.cc &&
  python3 re2/make_unicode_groups.py >re2/unicode_groups.cc)
cmake -S "re2-$RE2+dfsg" -B build-re2 -G Ninja -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" -DRE2_BUILD_TESTING=OFF \
  -DBUILD_SHARED_LIBS=OFF >&2
cmake --build build-re2 >&2 && cmake --install build-re2 >&2
# (This RE2 installs a CMake package only; the layers find it with pkg-config.)
cat >"$PREFIX/lib/pkgconfig/re2.pc" <<PC
prefix=$PREFIX
Name: re2
Description: RE2 regular expressions (static, MinGW)
Version: $RE2
Cflags: -I\${prefix}/include
Libs: -L\${prefix}/lib -lre2
PC

log "libidn2 $IDN2 (with its bundled libunistring)"
(cd "libidn2-$IDN2" && ./configure --host=$CROSS --prefix="$PREFIX" --disable-shared \
  --enable-static --with-included-libunistring --disable-doc --disable-nls \
  --without-libiconv-prefix >&2 && make -j"$JOBS" -C gl >&2 && make -j"$JOBS" -C unistring >&2 &&
  make -j"$JOBS" -C lib >&2 && make -C lib install >&2 &&
  install -m 644 libidn2.pc "$PREFIX/lib/pkgconfig/")

log "GoogleTest $GTEST (source for the Windows tests)"
mkdir -p "$PREFIX/src" && cp -a "googletest-$GTEST" "$PREFIX/src/googletest"

log "header-only libraries from Debian's headers"
mkdir -p "$PREFIX/header-only"
for h in boost fmt spdlog toml++ CLI; do ln -sfn "/usr/include/$h" "$PREFIX/header-only/$h"; done

touch "$PREFIX/.complete"
rm -rf "$WORK"
log "done: $PREFIX"
echo "$PREFIX"
