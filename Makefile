# yunshou: the two commands a newcomer needs are `make demo` and `make test`.
# Both install missing Debian packages first (scripts/deps), then build with
# meson + ninja. Other targets are for developers.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_RUNS  ?= 200000
MESON_TEST  = meson test --print-errorlogs --num-processes 2

.PHONY: all deps build demo test unit e2e asan fuzz fuzz-long bench clean

all: build

deps:
	./scripts/deps

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	./scripts/demo $(BUILD)

# Every suite: unit and e2e, then both again under ASan+UBSan, then the
# fuzz harnesses for a fixed number of runs.
test: build
	$(MESON_TEST) -C $(BUILD) --suite unit --suite e2e
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory fuzz
	@./scripts/test-summary $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

unit: build
	$(MESON_TEST) -C $(BUILD) --suite unit

e2e: build
	$(MESON_TEST) -C $(BUILD) --suite e2e

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(MESON_TEST) -C $(ASAN_BUILD) --suite unit --suite e2e --timeout-multiplier 4

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=false \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	YS_FUZZ_RUNS=$(FUZZ_RUNS) $(MESON_TEST) -C $(FUZZ_BUILD) --suite fuzz

# Longer fuzzing on demand: make fuzz-long FUZZ_RUNS=5000000
fuzz-long: FUZZ_RUNS = 2000000
fuzz-long: fuzz

bench: build
	./bench/run $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) var
