# Entry points for people and CI. `make run` and `make test` are the README's two commands.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps build build-asan run test test-unit test-asan lint bench clean

deps:
	./scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSWITCHBOARD_SANITIZE=ON

build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Runs the product: for now a simulated demo center that prints its KPI report.
run: build
	$(BUILD)/src/server/switchboard simulate examples/demo-center.toml

# Every test: lint, unit + scenario tests, the crash test, and the sanitizer build's unit tests.
test: lint build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE slow

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

lint:
	./scripts/lint

bench: build
	./scripts/run-benchmarks

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
