# Warden: the two commands a newcomer needs are `make run` and `make test` (README.md).
# Everything else here is for people working on Warden.

JOBS ?= $(shell nproc)
CTEST_ARGS ?=
WARDEN_ARGS ?=

.PHONY: all deps build run test test-release test-asan format-check format tidy asan tsan fuzz clang bench clean

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
# integration and fuzz-replay tests, and the format check.
test: build format-check
	ctest --preset release -j $(JOBS) $(CTEST_ARGS)
	$(MAKE) test-asan

test-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan -j $(JOBS) $(CTEST_ARGS)

format-check: deps
	@files=$$(git ls-files '*.cpp' '*.hpp'); \
	clang-format --dry-run -Werror $$files && echo "format-check: OK"

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

tidy: build
	run-clang-tidy -p build/release -quiet 'src/.*\.cpp'

asan tsan clang: deps
	cmake --preset $@ && cmake --build --preset $@ -j $(JOBS)

# libFuzzer targets (clang); run one with e.g. build/fuzz/tests/http/head_parser_fuzz tests/http/corpus/head_parser
fuzz: deps
	cmake --preset fuzz && cmake --build --preset fuzz -j $(JOBS)

# Whole-system comparison with Squid and haproxy (bench/README.md).
bench: build
	bench/run.sh

clean:
	rm -rf build
