# Entry points for people and CI. `make run` and `make test` are the README's two commands.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 120
FUZZ_API_RUNS ?= 300000
FUZZ_ENGINE_RUNS ?= 20000
FUZZ_FLOW_RUNS ?= 60000
FUZZ_SIP_RUNS ?= 200000
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps build build-asan web run test fuzz-smoke test-unit test-asan test-web test-e2e test-serve test-voice lint bench clean
DEMO_DATA ?= .demo-data
LISTEN ?= 127.0.0.1:8080

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

# The web app (TypeScript, Vite): rebuilt when its sources or lock file change.
WEB_SOURCES := $(shell find web/src web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)
web/dist/index.html: $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
web: deps web/dist/index.html

# Runs the product: the live server on a fresh data directory with the demo center (simulated
# customers and agents) so the wallboard moves. Open http://localhost:8080; the admin password
# and the demo users' password are printed at start.
run: build web
	rm -rf $(DEMO_DATA)
	$(BUILD)/src/server/switchboard serve --data-dir $(DEMO_DATA) --listen $(LISTEN) --demo

# Every test: lint, unit + scenario tests, the crash test, the web app's unit tests, the live
# server smoke test (demo, SIGTERM, restart), the browser end-to-end test in Debian's Chromium,
# and the sanitizer build's unit tests.
test: lint build web build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	$(MAKE) test-web test-serve test-voice test-e2e fuzz-smoke
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE slow

# The libFuzzer targets (clang, ASan+UBSan), each for a fixed, seeded number of runs so that CI
# is reproducible: the API's request parsing and validation, and the engine against the reference
# router. Longer exploratory runs: see docs/testing.md (fuzz/known/ holds open findings).
$(FUZZ_BUILD)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_BENCH=OFF

fuzz-smoke: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target api_fuzz engine_fuzz flow_fuzz sip_fuzz
	rm -rf $(FUZZ_BUILD)/corpus-api $(FUZZ_BUILD)/corpus-engine
	mkdir -p $(FUZZ_BUILD)/corpus-api $(FUZZ_BUILD)/corpus-engine
	$(FUZZ_BUILD)/fuzz/api_fuzz -seed=1 -runs=$(FUZZ_API_RUNS) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus-api fuzz/seeds/api > $(FUZZ_BUILD)/api_fuzz.log 2>&1 \
	  || (tail -60 $(FUZZ_BUILD)/api_fuzz.log; exit 1)
	grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_BUILD)/api_fuzz.log
	$(FUZZ_BUILD)/fuzz/engine_fuzz -seed=1 -runs=$(FUZZ_ENGINE_RUNS) -max_total_time=$(FUZZ_SECONDS) -timeout=30 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus-engine fuzz/seeds/engine > $(FUZZ_BUILD)/engine_fuzz.log 2>&1 \
	  || (tail -60 $(FUZZ_BUILD)/engine_fuzz.log; exit 1)
	grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_BUILD)/engine_fuzz.log
	rm -rf $(FUZZ_BUILD)/corpus-flow && mkdir -p $(FUZZ_BUILD)/corpus-flow
	$(FUZZ_BUILD)/fuzz/flow_fuzz -seed=1 -runs=$(FUZZ_FLOW_RUNS) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus-flow fuzz/seeds/flows > $(FUZZ_BUILD)/flow_fuzz.log 2>&1 \
	  || (tail -60 $(FUZZ_BUILD)/flow_fuzz.log; exit 1)
	grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_BUILD)/flow_fuzz.log
	rm -rf $(FUZZ_BUILD)/corpus-sip && mkdir -p $(FUZZ_BUILD)/corpus-sip
	$(FUZZ_BUILD)/fuzz/sip_fuzz -seed=1 -runs=$(FUZZ_SIP_RUNS) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus-sip fuzz/seeds/sip > $(FUZZ_BUILD)/sip_fuzz.log 2>&1 \
	  || (tail -60 $(FUZZ_BUILD)/sip_fuzz.log; exit 1)
	grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_BUILD)/sip_fuzz.log

test-web: web
	cd web && npm test

test-serve: build web
	tests/server/serve_smoke.sh $(BUILD)/src/server/switchboard

# Voice with real SIP peers on 127.0.0.1: SIPp callers and phones, baresip softphones.
test-voice: build
	tests/voice/run_voice_tests.sh $(BUILD)/src/server/switchboard
	tests/voice/baresip_test.sh $(BUILD)/src/server/switchboard

test-e2e: build web
	tests/e2e/run.sh $(BUILD)/src/server/switchboard web/dist

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

lint:
	./scripts/lint

bench: build
	./scripts/run-benchmarks

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
