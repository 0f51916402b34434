# Cross-builds the firmware images with the Swift toolchain's Embedded Swift and runs the tests.
# `make help` lists the targets.

SWIFTC      := $(shell command -v swiftc)
TOOLBIN     := $(dir $(realpath $(SWIFTC)))
CLANG       := $(TOOLBIN)clang
LLD         := $(TOOLBIN)ld.lld
OBJCOPY     := $(TOOLBIN)llvm-objcopy
OBJDUMP     := $(TOOLBIN)llvm-objdump
NM          := $(TOOLBIN)llvm-nm

OUT         := out

# Embedded Swift for bare-metal AArch64. FP/SIMD is off (-mgeneral-regs-only): firmware must
# never clobber the normal world's or a realm's SIMD registers. Strict alignment: before the
# MMU is on every access is Device memory. -no-allocations makes any heap use a compile error.
SWIFT_EMBEDDED := $(SWIFTC) -target aarch64-none-none-elf -enable-experimental-feature Embedded \
	-wmo -parse-as-library -Osize -swift-version 6 -no-allocations \
	-Xfrontend -function-sections -Xfrontend -disable-stack-protector \
	-Xcc -mgeneral-regs-only -Xcc -mstrict-align

# The S-EL2 image needs FEAT_SEL2 (Armv8.4); the EL3 image runs on CPUs without it and is built
# for the oldest architecture it supports.
MARCH_SEL2  := armv8.4-a
MARCH_EL3   := armv8-a

CORE_SOURCES := $(shell find Firmware/Core -name '*.swift' | LC_ALL=C sort)
# Instantiates the generic core so that Embedded Swift compiles (and checks) it.
CORE_CHECK_SOURCES := $(shell find Firmware/CoreCheck -name '*.swift' | LC_ALL=C sort)

.PHONY: all help core-embedded host-test clean

all: core-embedded

help:
	@echo "make run        build the S-EL2 image and boot it in QEMU with the project's host"
	@echo "make test       host tests, image checks and QEMU system tests"
	@echo "make bench      RMI round-trip cycle counts under QEMU -icount"

# The platform-independent core, compiled as Embedded Swift for both architecture levels: code
# shared by the host library and the images must build both ways.
core-embedded: $(OUT)/core-check/core-armv8.4-a.o $(OUT)/core-check/core-armv8-a.o

$(OUT)/core-check/core-%.o: $(CORE_SOURCES) $(CORE_CHECK_SOURCES) Makefile
	@mkdir -p $(dir $@)
	$(SWIFT_EMBEDDED) -Xcc -march=$* -module-name TMMCore -c $(CORE_SOURCES) $(CORE_CHECK_SOURCES) -o $@

host-test:
	swift test

clean:
	rm -rf $(OUT)
