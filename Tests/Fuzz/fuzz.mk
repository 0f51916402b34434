# Coverage-guided fuzzing of Firmware/Core and the token decoder with the Swift toolchain's
# libFuzzer (Docs/fuzzing.md). Included by the Makefile.
#
#   make fuzz            every target for FUZZ_TIME seconds each (default 60), corpus in out/fuzz;
#                        FUZZ_TARGETS=realm for one, FUZZ_EXTRA="-fork=2" for more libFuzzer options
#   make fuzz-smoke      corpus and regression replay plus a short run of each target (make test)
#   make fuzz-coverage   which functions of Firmware/Core the corpus reaches (llvm-cov)
#
# The core is compiled as one module, as the firmware compiles it, with libFuzzer's coverage
# instrumentation and AddressSanitizer; the fake machine, the invariant checker and the
# drivers (shared with `swift test`, which replays the same corpus) are a second module with
# AddressSanitizer only, so that coverage counts only the core's edges. No cross-module
# optimisation out of the core: inlined into the drivers, its code would run uncounted.

FUZZ_OUT      := $(OUT)/fuzz
FUZZ_TIME     ?= 60
FUZZ_SMOKE_TIME ?= 12
FUZZ_TARGETS  := rmi realm mmio cbor
FUZZ_CORPUS   := Tests/Fuzz/corpus
# Crash reproducers, replayed forever (git keeps no empty directory: the rules make them).
FUZZ_REGRESS  := Tests/Fuzz/regressions
FUZZ_SWIFT    := $(SWIFTC) -parse-as-library -O -wmo -swift-version 6 -suppress-warnings
FUZZ_LINK     := $(SWIFTC) -use-ld=lld
FUZZ_HARNESS  := $(addprefix Tests/TMMCoreTests/Harness/,FakeMachine.swift Harness.swift InvariantChecker.swift RealmScript.swift)
FUZZ_DRIVER   := $(sort $(wildcard Tests/TMMCoreTests/Fuzz/*.swift))
CBOR_DRIVER   := Tools/verify/Sources/CCAVerify/CBORDecoder.swift $(sort $(wildcard Tools/verify/Tests/CCAVerifyTests/Fuzz/*.swift)) \
	Firmware/Core/Attestation/CBORWriter.swift Firmware/Core/Crypto/ByteHelpers.swift
# libFuzzer options for every run: inputs up to 2 KiB from the start (an operation takes
# several bytes, and short inputs never get past making a realm), one slow input is a finding
# too. ASan: no leak check (the drivers keep per-process caches), short allocation stacks
# (recording them was a fifth of the run time).
FUZZ_OPTS     := -max_len=2048 -len_control=0 -timeout=20 -rss_limit_mb=3072 -print_final_stats=1
fuzz fuzz-smoke fuzz-coverage: export ASAN_OPTIONS := detect_leaks=0:malloc_context_size=2:$(ASAN_OPTIONS)
# The Swift runtime's own crash backtracer reads the stack behind ASan's back; ASan reports.
fuzz fuzz-smoke fuzz-coverage: export SWIFT_BACKTRACE := enable=no

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-coverage

fuzz-build: $(FUZZ_OUT)/tmm-fuzz $(FUZZ_OUT)/cbor-fuzz

$(FUZZ_OUT)/%/TMMCore.o: $(CORE_SWIFT) Tests/Fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_SWIFT) -module-name TMMCore -enable-testing -Xfrontend -disable-cmo $(FUZZ_CORE_FLAGS_$*) -emit-module \
		-emit-module-path $(dir $@)TMMCore.swiftmodule -c $(CORE_SWIFT) -o $@
	@touch $@    # swiftc leaves an unchanged object's time alone
FUZZ_CORE_FLAGS_libfuzzer := -sanitize=fuzzer,address
FUZZ_CORE_FLAGS_coverage  := -sanitize=fuzzer -profile-generate -profile-coverage-mapping

$(FUZZ_OUT)/%/TMMFuzz.o: $(FUZZ_OUT)/%/TMMCore.o $(FUZZ_HARNESS) $(FUZZ_DRIVER) Tests/Fuzz/Entry/TMMFuzzMain.swift
	$(FUZZ_SWIFT) -module-name TMMFuzz $(if $(filter libfuzzer,$*),-sanitize=address) -I $(dir $@) \
		-c $(FUZZ_HARNESS) $(FUZZ_DRIVER) Tests/Fuzz/Entry/TMMFuzzMain.swift -o $@
	@touch $@

$(FUZZ_OUT)/tmm-fuzz: $(FUZZ_OUT)/libfuzzer/TMMCore.o $(FUZZ_OUT)/libfuzzer/TMMFuzz.o
	$(FUZZ_LINK) -sanitize=fuzzer,address $^ -o $@

$(FUZZ_OUT)/tmm-fuzz-coverage: $(FUZZ_OUT)/coverage/TMMCore.o $(FUZZ_OUT)/coverage/TMMFuzz.o
	$(FUZZ_LINK) -sanitize=fuzzer -profile-generate $^ -o $@

$(FUZZ_OUT)/cbor-fuzz: $(CBOR_DRIVER) Tests/Fuzz/Entry/CBORFuzzMain.swift
	@mkdir -p $(dir $@)
	$(FUZZ_SWIFT) -module-name CBORFuzz -sanitize=fuzzer,address -use-ld=lld $^ -o $@

# Each of FUZZ_TARGETS for FUZZ_TIME seconds; new inputs go to out/fuzz/corpus/<target> (the
# committed seeds and regressions are read too), crash reproducers to out/fuzz/crashes/<target>,
# the log to out/fuzz/<target>.log, of which Tests/Fuzz/summary.py prints the numbers.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		bin=$(FUZZ_OUT)/tmm-fuzz; [ $$t = cbor ] && bin=$(FUZZ_OUT)/cbor-fuzz; \
		mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/crashes/$$t $(FUZZ_REGRESS)/$$t; \
		echo "== fuzz target $$t: $(FUZZ_TIME) s (log: $(FUZZ_OUT)/$$t.log)"; \
		TMM_FUZZ_TARGET=$$t $$bin $(FUZZ_OPTS) -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(FUZZ_OUT)/crashes/$$t/ \
			$(FUZZ_EXTRA) $(FUZZ_OUT)/corpus/$$t $(FUZZ_CORPUS)/$$t $(FUZZ_REGRESS)/$$t > $(FUZZ_OUT)/$$t.log 2>&1; \
		status=$$?; $(PYTHON) Tests/Fuzz/summary.py $(FUZZ_OUT)/$$t.log; [ $$status = 0 ] || exit $$status; \
	done

# What `make test` runs: every committed input once (corpus and regressions), then a short run.
fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		bin=$(FUZZ_OUT)/tmm-fuzz; [ $$t = cbor ] && bin=$(FUZZ_OUT)/cbor-fuzz; \
		echo "== fuzz replay $$t"; mkdir -p $(FUZZ_REGRESS)/$$t; \
		TMM_FUZZ_TARGET=$$t $$bin -runs=0 $(FUZZ_OPTS) $(FUZZ_CORPUS)/$$t $(FUZZ_REGRESS)/$$t > $(FUZZ_OUT)/replay-$$t.log 2>&1; \
		status=$$?; $(PYTHON) Tests/Fuzz/summary.py $(FUZZ_OUT)/replay-$$t.log | grep -E "INITED|DONE|FINDING|ERROR|unreached"; \
		[ $$status = 0 ] || exit $$status; \
	done
	$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(FUZZ_SMOKE_TIME)

fuzz-coverage: $(FUZZ_OUT)/tmm-fuzz-coverage
	@rm -rf $(FUZZ_OUT)/profiles && mkdir -p $(FUZZ_OUT)/profiles
	@for t in rmi realm mmio; do \
		mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_REGRESS)/$$t; \
		LLVM_PROFILE_FILE=$(FUZZ_OUT)/profiles/$$t.profraw TMM_FUZZ_TARGET=$$t $(FUZZ_OUT)/tmm-fuzz-coverage -runs=0 \
			$(FUZZ_CORPUS)/$$t $(FUZZ_REGRESS)/$$t $(FUZZ_OUT)/corpus/$$t > $(FUZZ_OUT)/profiles/$$t.log 2>&1 || exit 1; \
	done
	$(TOOLBIN)llvm-profdata merge -o $(FUZZ_OUT)/profiles/merged.profdata $(FUZZ_OUT)/profiles/*.profraw
	$(TOOLBIN)llvm-cov export -format=text -instr-profile=$(FUZZ_OUT)/profiles/merged.profdata $(FUZZ_OUT)/tmm-fuzz-coverage \
		> $(FUZZ_OUT)/profiles/coverage.json
	$(PYTHON) Tests/Fuzz/coverage_report.py $(FUZZ_OUT)/profiles/coverage.json --demangle $(TOOLBIN)swift-demangle \
		--notes Docs/fuzzing.md
