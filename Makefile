# Convenience targets over CMake presets (CMakePresets.json); CMake does the real work.
# make          build build/fundguard and build/libfundguard.a
# make test     lint (banned calls, functions over 150 lines, format), then every test on the gcc build, then again under ASan+UBSan (clang)
# make demo     install missing packages, build, run the main job end to end (outputs in build/demo/;
#               DEMO_SCALE=tiny for a small region)
# make bench    run the benchmarks under bench/, results in bench/results/
# make fuzz     run each libFuzzer target for FUZZ_SECONDS (default 60)
# make openapi-lint  lint docs/openapi.yaml with Redocly's recommended rules (tools/openapi: npm ci
#               there first; make lint runs it when tools/openapi/node_modules exists)
# make format   format every C source with .clang-format
# make clean    remove the build directories (build/demo/ with them)

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CTEST = ctest --output-on-failure -j $(JOBS)
C_SOURCES = $(shell git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null)

.PHONY: all deps build asan test lint openapi-lint format demo bench fuzz install clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake --preset default >/dev/null
	@cmake --build build -j $(JOBS)

asan: deps
	@cmake --preset asan-ubsan >/dev/null
	@cmake --build build-asan -j $(JOBS)

lint:
	@scripts/checksrc $(C_SOURCES)
	@scripts/funclen --allow scripts/funclen.allow $(filter src/%,$(C_SOURCES))
	@clang-format --dry-run -Werror $(C_SOURCES)
	@if [ -d tools/openapi/node_modules ]; then $(MAKE) --no-print-directory openapi-lint; \
	else echo "openapi-lint: skipped (no tools/openapi/node_modules; run npm ci there)"; fi

openapi-lint:
	@cd tools/openapi && npx --no-install redocly lint --config redocly.yaml ../../docs/openapi.yaml

test: build asan lint
	@echo "== tests (gcc, build/)"
	@cd build && $(CTEST)
	@echo "== tests (clang, ASan+UBSan, build-asan/)"
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(CTEST)

format:
	@clang-format -i $(C_SOURCES)

demo: build
	@scripts/demo.sh

bench: build
	@scripts/bench.sh

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

install: build
	@cmake --install build

clean:
	rm -rf build build-asan build-release build-fuzz
