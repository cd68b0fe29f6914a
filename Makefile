# The two commands of the README: `make run` and `make test`. Both set up a fresh machine first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache lives outside the clone so a fresh clone on the same machine rebuilds from cache;
# base_dir makes its keys independent of where the clone is.
export CCACHE_DIR ?= $(HOME)/.cache/analysis-sandbox/ccache
export CCACHE_BASEDIR := $(CURDIR)
# With -g, ccache also hashes the working directory unless told not to; clones differ in it.
export CCACHE_NOHASHDIR := 1
export CCACHE_MAXSIZE ?= 5G

BIN := $(BUILD_DIR)/src/cli/analysis-sandbox

.PHONY: all setup configure build run examples test unit-test e2e-test bench asan-test clean

all: build

setup:
	@bash scripts/setup

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DAS_WERROR=$${AS_WERROR:-OFF} $(CMAKE_FLAGS)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Serves the REST API on the embedded defaults (or $$ANALYSIS_SANDBOX_CONFIG) with the bundled
# examples stored as analyses; prints the URL and, without a config file, the local author token.
LISTEN ?= 127.0.0.1:8080
run: build
	$(BIN) serve --listen $(LISTEN) --seed examples --seed examples/server

# Runs every bundled example analysis once with `analysis-sandbox run` (no server).
examples: build
	@bash scripts/run-examples $(BIN)

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

e2e-test: build
	AS_BIN=$(abspath $(BIN)) python3 -m pytest -q tests/e2e

# The real database servers the datasource tests need run only for the duration of the tests
# (scripts/test-services starts them, exports AS_TEST_* and stops what it started).
test: build
	@bash scripts/test-services run $(MAKE) --no-print-directory unit-test e2e-test

bench: build
	@bash bench/run

# The sandbox unit tests under AddressSanitizer, LeakSanitizer and UBSan (separate build dir).
asan-test: setup
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAS_SANITIZE=ON
	cmake --build build-asan -j $(JOBS) --target sandbox_tests
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ./tests/unit/sandbox_tests

clean:
	rm -rf $(BUILD_DIR) build-asan
