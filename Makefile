# Warden: the two commands a newcomer needs are `make run` and `make test` (README.md).
# Everything else here is for people working on Warden.

JOBS ?= $(shell nproc)
CTEST_ARGS ?=
WARDEN_ARGS ?=

.PHONY: all deps build run test test-release test-asan test-windows test-package test-fuzz deb windows format-check format tidy asan tsan fuzz fuzz-run clang bench clean

all: build

deps:
	@scripts/install-deps.sh

build/release/build.ninja: | deps
	cmake --preset release

build: deps build/release/build.ninja
	cmake --build --preset release -j $(JOBS)

run: build
	build/release/warden run $(WARDEN_ARGS)

# What CI runs: the release build with every test, the asan build (ASan+UBSan) with the unit,
# integration and fuzz-replay tests, a short libFuzzer run of every fuzz target, the Windows
# build's tests under Wine, the Debian package in a booted Debian 12 system, and the format check.
test: build format-check
	ctest --preset release -j $(JOBS) $(CTEST_ARGS)
	$(MAKE) test-asan
	$(MAKE) test-fuzz
	$(MAKE) test-windows
	$(MAKE) test-package

test-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan -j $(JOBS) $(CTEST_ARGS)

# Windows (x86_64, MinGW-w64, static), its dependencies built from Debian's source packages
# and cached outside the clone (scripts/windows-deps.sh; docs/windows.md); tests under Wine.
WINE_ENV = WINEDEBUG=-all WINEPREFIX=$${XDG_CACHE_HOME:-$$HOME/.cache}/warden/wineprefix
windows:
	@prefix=$$(scripts/windows-deps.sh) && \
	cmake --preset windows -DWARDEN_MINGW_PREFIX=$$prefix >/dev/null && \
	cmake --build --preset windows -j $(JOBS)

# One wineserver is held for the whole run (-p): a test started while the previous test's
# server is timing out fails in Wine ("wine client error: recvmsg") before it runs.
test-windows: windows
	@$(WINE_ENV) wineserver -p && \
	{ $(WINE_ENV) ctest --preset windows -j $(JOBS) $(CTEST_ARGS); rc=$$?; \
	  $(WINE_ENV) wineserver -k; exit $$rc; }

# The Debian package (docs/install.md): build/deb/warden_<version>_<arch>.deb, lintian clean.
deb:
	@scripts/build-deb.sh

# The package installed and lived with in a Debian 12 system booted by systemd-nspawn
# (tests/package/system_test.py; exit 77 = cannot run here, it says why).
test-package:
	@deb=$$(scripts/build-deb.sh) && { python3 tests/package/system_test.py "$$deb" || \
	  { rc=$$?; [ $$rc -eq 77 ] && echo "test-package: SKIPPED (see above)"; [ $$rc -eq 77 ]; }; }

format-check: deps
	@files=$$(git ls-files '*.cpp' '*.hpp'); \
	clang-format --dry-run -Werror $$files && echo "format-check: OK"

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

tidy: build
	run-clang-tidy-16 -clang-tidy-binary clang-tidy-16 -p build/release -quiet 'src/.*\.cpp'

asan tsan clang: deps
	cmake --preset $@ && cmake --build --preset $@ -j $(JOBS)

# libFuzzer targets (clang-16, ASan+UBSan; docs/fuzzing.md). `make fuzz-run` runs each for
# SECONDS, as many at once as there are cores, keeping corpora and findings in
# ~/.cache/warden/fuzz; `make test-fuzz` is CI's short run of every target.
SECONDS ?= 300
TARGETS ?=
fuzz: deps
	cmake --preset fuzz && cmake --build --preset fuzz -j $(JOBS) --target fuzz_targets

fuzz-run: fuzz
	scripts/fuzz_run.py --build build/fuzz --seconds $(SECONDS) --jobs $(JOBS) $(if $(TARGETS),--targets $(TARGETS))

test-fuzz:
	$(MAKE) fuzz-run SECONDS=30 TARGETS=

# Whole-system comparison with Squid and haproxy (bench/README.md).
bench: build
	bench/run.sh

clean:
	rm -rf build
