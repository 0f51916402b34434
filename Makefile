# Cross-builds the firmware images with the Swift toolchain's Embedded Swift and runs the tests.
# `make help` lists the targets.

SWIFTC      := $(shell command -v swiftc)
TOOLBIN     := $(dir $(realpath $(SWIFTC)))
CLANG       := $(TOOLBIN)clang
LLD         := $(TOOLBIN)ld.lld
OBJCOPY     := $(TOOLBIN)llvm-objcopy
OBJDUMP     := $(TOOLBIN)llvm-objdump
NM          := $(TOOLBIN)llvm-nm
DTC         := dtc
QEMU        := qemu-system-aarch64
PYTHON      := python3

OUT         := out
# The platform the images are built for: everything it declares (memory map, consoles, power
# control, secure pool, device secret, the normal world's device tree, QEMU machine options)
# lives in Platform/$(PLATFORM)/ (Docs/porting.md). The default platform's outputs stay
# directly under $(OUT); another platform's go to $(OUT)/$(PLATFORM), so both coexist.
PLATFORM    ?= qemu-virt
PLATDIR     := Platform/$(PLATFORM)
ifeq ($(wildcard $(PLATDIR)/platform.mk),)
$(error PLATFORM=$(PLATFORM): there is no $(PLATDIR)/platform.mk)
endif
include $(PLATDIR)/platform.mk
BUILD       := $(if $(filter qemu-virt,$(PLATFORM)),$(OUT),$(OUT)/$(PLATFORM))
# Every platform `make test` builds, checks and boots.
PLATFORMS   := qemu-virt sbsa-ref
# A constant of the platform's platform_def.h, read from there so it is written once.
platform_define = $(shell awk '$$2 == "$(1)" && $$1 ~ /define$$/ { print $$3 }' $(PLATDIR)/include/platform_def.h)
# Payload load and entry address in normal-world DRAM (see README: payload contract).
ifndef PAYLOAD_ADDR
PAYLOAD_ADDR := $(call platform_define,PLAT_PAYLOAD_ADDR_DEFAULT)
endif
# The payload `make run` boots; by default the project's own normal-world host.
PAYLOAD     ?= $(BUILD)/host/host.bin
RUN_QEMU    = $(PYTHON) Tools/run_qemu.py --platform $(PLATFORM)

INCLUDES    := -I Platform/aarch64/include -I $(PLATDIR)/include

# Embedded Swift for bare-metal AArch64. FP/SIMD is off (-mgeneral-regs-only): firmware must
# never clobber the normal world's or a realm's SIMD registers. Strict alignment: before the
# MMU is on every access is Device memory. -no-allocations makes any heap use a compile error.
SWIFT_EMBEDDED := $(SWIFTC) -target aarch64-none-none-elf -enable-experimental-feature Embedded \
	-wmo -parse-as-library -Osize -swift-version 6 -no-allocations \
	-Xfrontend -function-sections -Xfrontend -disable-stack-protector \
	-Xcc -mgeneral-regs-only -Xcc -mstrict-align $(INCLUDES) $(addprefix -Xcc ,$(INCLUDES))

CFLAGS_COMMON := --target=aarch64-none-elf -mgeneral-regs-only -mstrict-align -ffreestanding \
	-fno-builtin -fno-stack-protector -fno-pic -fno-asynchronous-unwind-tables -ffunction-sections \
	-fdata-sections -O2 -std=c11 -Wall -Wextra -Werror $(INCLUDES)

# The TMM of the S-EL2 image needs FEAT_SEL2 (Armv8.4). Its monitor is built for Armv8.0 so that,
# started on an older CPU, it can still say why it stops (an LSE atomic in its console lock would
# fault first). The EL3 image runs on CPUs without FEAT_SEL2 and is built for the oldest
# architecture it supports. The host must run on both.
MARCH_SEL2  := armv8.4-a
MARCH_BASE  := armv8-a
MARCH_EL3   := $(MARCH_BASE)
MARCH_HOST  := $(MARCH_BASE)
MARCH_REALM := $(MARCH_BASE)

LDFLAGS     := -nostdlib -static --gc-sections --orphan-handling=error --no-undefined

# Sources, grouped by the image component they go into.
CORE_SWIFT      := $(shell find Firmware/Core -name '*.swift' | LC_ALL=C sort)
ARCH_SWIFT      := $(wildcard Firmware/Arch/*.swift)
# What the monitor and the TMM both compile in (each module its own copy in the S-EL2 image).
SECURE_SWIFT    := $(wildcard Firmware/Secure/*.swift)
# The platform's Swift (console, power control, secure pool, identity) goes into the monitor;
# the TMM takes only its console.
MONITOR_SWIFT   := $(wildcard Firmware/Monitor/*.swift) $(SECURE_SWIFT) $(wildcard $(PLATDIR)/*.swift) \
	$(wildcard Firmware/Monitor/Attestation/*.swift)
# The part of the core the monitor needs of its own: it signs platform tokens and derives keys.
CORE_ATTESTATION_SWIFT := $(shell find Firmware/Core/Crypto Firmware/Core/Attestation -name '*.swift' | LC_ALL=C sort)
TMM_SWIFT       := $(wildcard Firmware/TMM/*.swift) $(PLATDIR)/SecureConsole.swift $(SECURE_SWIFT)
HOST_SWIFT      := $(shell find Firmware/Host -name '*.swift' | LC_ALL=C sort)
# The test realm: its own code, the console pieces it shares with the firmware, and the
# project's SHA-256/SHA-512 (it checks its measurements and derives its challenge with them;
# it never enables the SHA instructions, so it runs the portable code).
REALM_SWIFT     := $(shell find Firmware/Realm -name '*.swift' | LC_ALL=C sort) \
	Firmware/Arch/Console.swift Firmware/Arch/HexDump.swift Firmware/Arch/PL011.swift Firmware/Arch/SpinLock.swift \
	Firmware/Core/Crypto/HashFunction.swift Firmware/Core/Crypto/SHA256.swift Firmware/Core/Crypto/SHA512.swift \
	Firmware/Core/Crypto/SHAAcceleration.swift Firmware/Core/Crypto/FIPS180Examples.swift Firmware/Core/Crypto/ByteHelpers.swift
HEADERS         := $(wildcard Platform/aarch64/include/*.h Platform/aarch64/include/module.modulemap \
	$(PLATDIR)/include/*.h $(PLATDIR)/include/module.modulemap $(PLATDIR)/platform.mk) Makefile

# Image variants and pool configurations. POOL=sram (default) uses the spare secure-only RAM;
# POOL=dram carves the pool out of DRAM (an address-space-controller model).
POOL        ?= sram
POOL_DEFINE := $(if $(filter dram,$(POOL)),POOL_IN_DRAM)
SWIFT_POOL  := $(if $(POOL_DEFINE),-D $(POOL_DEFINE))
# SHA=portable builds firmware that never enables the CPU's SHA instructions, to compare both
# paths under `make bench` (README: Benchmark); give it an OUT of its own (OUT=out/sha-portable).
SHA         ?= instructions
SWIFT_SHA   := $(if $(filter portable,$(SHA)),-D SHA_PORTABLE)
CPP_POOL    := $(if $(POOL_DEFINE),-D$(POOL_DEFINE))
SEL2        := $(BUILD)/tmm-sel2-$(POOL)
EL3         := $(BUILD)/tmm-el3-$(POOL)
HOST        := $(BUILD)/host
REALM       := $(BUILD)/realm
TAMPERED    := $(BUILD)/host-tampered

.PHONY: all images all-images help deps deps-bench core-embedded host-test image-checks platform-image-checks platform-check system-tests test bench bench-rmi sha-count run run-host run-host-el3 clean \
	guest guest-clean run-linux-host run-linux-host-el3 run-linux-realm run-realm linux-realm-image run-linux-vm bench-linux
.DELETE_ON_ERROR:

all: images

help:
	@echo "make run              Debian's Linux as a confidential VM on the S-EL2 image (= run-linux-realm)"
	@echo "make run-host         the S-EL2 image with the project's host: interface checks, the test realm"
	@echo "make run-host-el3     the same on the EL3 image (-cpu cortex-a72): the test realm run from EL3"
	@echo "PLATFORM=sbsa-ref     any target on QEMU sbsa-ref instead of virt (Docs/porting.md);"
	@echo "                      outputs in out/sbsa-ref; make platform-check: addresses stay in Platform/"
	@echo "make run PAYLOAD=f    boot any normal-world payload (flat binary, entered at PAYLOAD_ADDR)"
	@echo "make test             host tests, image checks and QEMU system tests"
	@echo "make run-linux-host   boot Debian's arm64 Linux as the payload (S-EL2 image; -el3: EL3 image;"
	@echo "                      LINUX_SHELL=1 for a shell)"
	@echo "make bench            bench-rmi, then RMI and realm round trips under QEMU -icount (both images),"
	@echo "                      tmm-bench, then bench-linux"
	@echo "make bench-linux      Linux as a realm and as a normal VM under -icount: instructions, exits, ratios"
	@echo "make run-linux-vm     the Linux guest as an ordinary VM at NS-EL1 (KERNEL/INITRD/APPEND/MEM)"
	@echo "make fuzz             libFuzzer on the core's RMI/RSI targets and the token decoder (FUZZ_TIME=s each;"
	@echo "                      fuzz-coverage: functions no target reaches; Docs/fuzzing.md)"
	@echo "make sha-count        the portable SHA-256's instructions per block on this host (callgrind)"
	@echo "make bench-rmi        instructions per RMI command of the core on this host (callgrind), beside TF-RMM's"
	@echo "make images           build both images (POOL=sram|dram) and the host"
	@echo "make guest            fetch Debian's arm64 kernels and busybox, build the initramfs images"
	@echo "                      (FLAVOUR=cloud-arm64 for the realm guest; Docs/guest.md)"
	@echo "make run-linux-realm  Debian's kernel as a confidential VM: boots, attests, token verified, RIM predicted"
	@echo "make run-realm KERNEL=Image INITRD=initramfs APPEND='...' MEM=128 CPUS=1"
	@echo "                      your own kernel in a realm, the terminal as its console (Docs/linux-realm.md)"

images: $(SEL2)/tmm-sel2.bin $(EL3)/tmm-el3.bin $(HOST)/host.bin $(REALM)/realm.elf $(TAMPERED)/host.bin

# Every pool configuration the platform has (platform.mk), both variants (the system tests
# boot all of them).
all-images:
	@for pool in $(PLATFORM_POOLS); do $(MAKE) --no-print-directory POOL=$$pool images || exit 1; done

# Debian packages the build and the tests need; installed when missing (as root, or with sudo).
DEB_PACKAGES := qemu-system-arm device-tree-compiler gcc-aarch64-linux-gnu
deps:
	@missing=""; \
	command -v $(QEMU) >/dev/null || missing="$$missing qemu-system-arm"; \
	command -v $(DTC) >/dev/null || missing="$$missing device-tree-compiler"; \
	command -v aarch64-linux-gnu-gcc >/dev/null || missing="$$missing gcc-aarch64-linux-gnu"; \
	command -v $(PYTHON) >/dev/null || missing="$$missing python3"; \
	test -f /usr/share/keyrings/debian-archive-keyring.gpg || missing="$$missing debian-archive-keyring"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing (apt's output in $(OUT)/apt-install.log)"; \
		mkdir -p $(OUT); \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		{ $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends $$missing; } > $(OUT)/apt-install.log 2>&1 || \
			{ cat $(OUT)/apt-install.log; exit 1; }; \
	fi
	@test -n "$(SWIFTC)" || { echo "swiftc not found: install the Swift toolchain (6.3 or later)"; exit 1; }

# What the host benchmarks need besides: callgrind (Debian package valgrind, which also
# installs the client-request header Tools/rmi-count uses).
deps-bench: deps
	@if ! command -v valgrind >/dev/null || [ ! -f /usr/include/valgrind/callgrind.h ]; then \
		echo "installing Debian package valgrind (apt's output in $(OUT)/apt-install.log)"; \
		mkdir -p $(OUT); \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		{ $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends valgrind; } > $(OUT)/apt-install.log 2>&1 || \
			{ cat $(OUT)/apt-install.log; exit 1; }; \
	fi

# ---------------------------------------------------------------------------------------------
# Common pieces.

# Rewritten only when PAYLOAD_ADDR changes, so that what depends on it is rebuilt then.
PAYLOAD_STAMP := $(BUILD)/config/payload-addr
$(PAYLOAD_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo $(PAYLOAD_ADDR) | cmp -s - $@ || echo $(PAYLOAD_ADDR) > $@
.PHONY: FORCE
FORCE:

# The kernel command line the device tree's /chosen gives a Linux payload (Docs/guest.md).
NS_BOOTARGS ?= console=ttyAMA0 earlycon
# Rewritten only when NS_BOOTARGS changes, so that the device tree is rebuilt then.
BOOTARGS_STAMP := $(BUILD)/config/ns-bootargs
$(BOOTARGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(NS_BOOTARGS)' | cmp -s - $@ || echo '$(NS_BOOTARGS)' > $@

# Two trees: the full description, and one without the EL2 virtual timer's interrupt for a board
# that does not wire it (the monitor probes which at boot: NormalWorldDeviceTree.swift).
NS_DTB_CPP = $(CLANG) -E -P -x assembler-with-cpp -nostdinc -undef -D__DTS__ $(CPP_POOL) $(INCLUDES) \
	'-DNS_BOOTARGS="$(NS_BOOTARGS)"'
$(BUILD)/%/ns-world.dtb: $(PLATDIR)/ns-world.dts $(HEADERS) $(BOOTARGS_STAMP)
	@mkdir -p $(dir $@)
	$(NS_DTB_CPP) -DNS_EL2_VTIMER $< -o $(@:.dtb=.pp.dts)
	$(DTC) -I dts -O dtb -q -o $@ $(@:.dtb=.pp.dts)
$(BUILD)/%/ns-world-without-el2-vtimer.dtb: $(PLATDIR)/ns-world.dts $(HEADERS) $(BOOTARGS_STAMP)
	@mkdir -p $(dir $@)
	$(NS_DTB_CPP) $< -o $(@:.dtb=.pp.dts)
	$(DTC) -I dts -O dtb -q -o $@ $(@:.dtb=.pp.dts)

# The device secret the monitor derives its attestation keys from (README: Attestation).
# Provisioned once per build tree from the host's random source, so a new out/ is a new device;
# DEVICE_SECRET=path provisions a given secret (32 or 64 bytes) instead.
DEVICE_SECRET ?= $(BUILD)/provisioning/device-secret.bin
$(BUILD)/provisioning/device-secret.bin:
	@mkdir -p $(dir $@)
	head -c 32 /dev/urandom > $@.tmp && mv $@.tmp $@
	@echo "provisioned a new device secret in $@ (QEMU test provisioning, see README)"

define device_secret_object
	@size=$$(wc -c < $(DEVICE_SECRET)); [ "$$size" -eq 32 ] || [ "$$size" -eq 64 ] || \
		{ echo "$(DEVICE_SECRET): a device secret is 32 or 64 bytes, not $$size"; exit 1; }
	$(CLANG) $(CFLAGS_COMMON) -march=$(1) -DDEVICE_SECRET_PATH='"$(DEVICE_SECRET)"' -c $< -o $@
endef

# ---------------------------------------------------------------------------------------------
# tmm-sel2: monitor (EL3) + TMM (Secure EL2).

$(SEL2)/monitor-swift.o: $(ARCH_SWIFT) $(MONITOR_SWIFT) $(CORE_ATTESTATION_SWIFT) \
		$(wildcard Firmware/Monitor/SEL2/*.swift) $(HEADERS)
	@mkdir -p $(dir $@)
	$(SWIFT_EMBEDDED) -Xcc -march=$(MARCH_BASE) $(SWIFT_POOL) $(SWIFT_SHA) -module-name Monitor -c \
		$(filter %.swift,$^) -o $@
	@touch $@    # swiftc leaves an unchanged object's time alone

$(SEL2)/tmm-swift.o: $(ARCH_SWIFT) $(CORE_SWIFT) $(TMM_SWIFT) $(wildcard Firmware/TMM/SEL2/*.swift) $(HEADERS)
	@mkdir -p $(dir $@)
	$(SWIFT_EMBEDDED) -Xcc -march=$(MARCH_SEL2) $(SWIFT_SHA) -D SHA512_INSTRUCTIONS -module-name TMM -c $(filter %.swift,$^) -o $@
	@touch $@    # swiftc leaves an unchanged object's time alone

# The realm entry/exit code holds the firmware's FP/SIMD state switch; the SHA block functions
# (sha*_blocks_ce.S) the only other FP/SIMD instructions, each saving what it uses. SHA-256's
# are Armv8.0 and go into every secure component; SHA-512's are Armv8.2 and go only into the
# S-EL2 TMM (Firmware/Secure/SHAInstructions.swift says why).
$(SEL2)/tmm_realm_run.o: Platform/aarch64/tmm_realm_run.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(filter-out -mgeneral-regs-only,$(CFLAGS_COMMON)) -march=$(MARCH_SEL2) -c $< -o $@

$(SEL2)/%.o: Platform/aarch64/%.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_BASE) -c $< -o $@
$(SEL2)/%.o: $(PLATDIR)/%.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_BASE) -c $< -o $@
$(SEL2)/%.o: Platform/aarch64/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_BASE) -c $< -o $@
$(SEL2)/ns_dtb.o: $(PLATDIR)/ns_dtb.S $(SEL2)/ns-world.dtb $(SEL2)/ns-world-without-el2-vtimer.dtb
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_BASE) -DNS_DTB_PATH='"$(SEL2)/ns-world.dtb"' \
		-DNS_DTB_FALLBACK_PATH='"$(SEL2)/ns-world-without-el2-vtimer.dtb"' -c $< -o $@
$(SEL2)/device_secret.o: $(PLATDIR)/device_secret.S $(DEVICE_SECRET)
	$(call device_secret_object,$(MARCH_BASE))

# Each component is linked on its own first and keeps only its entry symbol global.
$(SEL2)/monitor.o: $(SEL2)/monitor-swift.o $(SEL2)/monitor_reset.o $(SEL2)/el3_vectors.o \
		$(SEL2)/monitor_storage.o $(SEL2)/ns_dtb.o $(SEL2)/mem.o \
		$(SEL2)/monitor_attestation_storage.o $(SEL2)/device_secret.o $(SEL2)/sha256_blocks_ce.o
	$(LLD) -r -o $@ $^
	$(OBJCOPY) --keep-global-symbol=monitor_reset $@

$(SEL2)/tmm.o: $(SEL2)/tmm-swift.o $(SEL2)/tmm_sel2_entry.o $(SEL2)/tmm_realm_run.o $(SEL2)/tmm_storage.o \
		$(SEL2)/mem.o $(SEL2)/tmm_attestation_storage.o $(SEL2)/sha256_blocks_ce.o $(SEL2)/sha512_blocks_ce.o
	$(LLD) -r -o $@ $^
	$(OBJCOPY) --keep-global-symbol=tmm_sel2_entry $@

$(SEL2)/tmm-sel2.elf: $(SEL2)/monitor.o $(SEL2)/tmm.o $(SEL2)/tmm-sel2.ld $(PAYLOAD_STAMP)
	$(LLD) $(LDFLAGS) -T $(SEL2)/tmm-sel2.ld --defsym=__payload_entry=$(PAYLOAD_ADDR) \
		$(SEL2)/monitor.o $(SEL2)/tmm.o -o $@ -Map=$(@:.elf=.map)

$(SEL2)/tmm-sel2.ld: LinkerScripts/tmm-sel2.ld.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) -E -P -x c -nostdinc -undef $(INCLUDES) $< -o $@

%.bin: %.elf
	$(OBJCOPY) -O binary $< $@

# ---------------------------------------------------------------------------------------------
# tmm-el3: monitor and TMM in one EL3 component, built for Armv8.0.

$(EL3)/firmware-swift.o: $(sort $(ARCH_SWIFT) $(MONITOR_SWIFT) $(wildcard Firmware/Monitor/EL3/*.swift) \
		$(CORE_SWIFT) $(TMM_SWIFT) $(wildcard Firmware/TMM/EL3/*.swift)) $(HEADERS)
	@mkdir -p $(dir $@)
	$(SWIFT_EMBEDDED) -Xcc -march=$(MARCH_EL3) $(SWIFT_POOL) $(SWIFT_SHA) -D TMM_AT_EL3 -module-name Firmware -c \
		$(filter %.swift,$^) -o $@
	@touch $@    # swiftc leaves an unchanged object's time alone

$(EL3)/%.o: Platform/aarch64/%.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_EL3) -c $< -o $@
$(EL3)/%.o: $(PLATDIR)/%.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_EL3) -c $< -o $@
$(EL3)/%.o: Platform/aarch64/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_EL3) -c $< -o $@
$(EL3)/ns_dtb.o: $(PLATDIR)/ns_dtb.S $(EL3)/ns-world.dtb $(EL3)/ns-world-without-el2-vtimer.dtb
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_EL3) -DNS_DTB_PATH='"$(EL3)/ns-world.dtb"' \
		-DNS_DTB_FALLBACK_PATH='"$(EL3)/ns-world-without-el2-vtimer.dtb"' -c $< -o $@
$(EL3)/device_secret.o: $(PLATDIR)/device_secret.S $(DEVICE_SECRET)
	$(call device_secret_object,$(MARCH_EL3))

$(EL3)/tmm-el3.ld: LinkerScripts/tmm-el3.ld.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) -E -P -x c -nostdinc -undef $(INCLUDES) $< -o $@

$(EL3)/tmm-el3.elf: $(EL3)/firmware-swift.o $(EL3)/monitor_reset.o $(EL3)/el3_vectors.o \
		$(EL3)/monitor_storage.o $(EL3)/tmm_storage.o $(EL3)/ns_dtb.o $(EL3)/mem.o \
		$(EL3)/monitor_attestation_storage.o $(EL3)/tmm_attestation_storage.o $(EL3)/device_secret.o \
		$(EL3)/sha256_blocks_ce.o $(EL3)/tmm_realm_run.o $(EL3)/tmm-el3.ld $(PAYLOAD_STAMP)
	$(LLD) $(LDFLAGS) -T $(EL3)/tmm-el3.ld --defsym=__payload_entry=$(PAYLOAD_ADDR) \
		$(filter %.o,$^) -o $@ -Map=$(@:.elf=.map)

# ---------------------------------------------------------------------------------------------
# The project's normal-world host.

$(HOST)/host-swift.o: $(ARCH_SWIFT) $(HOST_SWIFT) $(HEADERS)
	@mkdir -p $(dir $@)
	$(SWIFT_EMBEDDED) -Xcc -march=$(MARCH_HOST) -module-name Host -c $(filter %.swift,$^) -o $@
	@touch $@    # swiftc leaves an unchanged object's time alone

$(HOST)/%.o: Platform/aarch64/%.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_HOST) -c $< -o $@
$(HOST)/%.o: Platform/aarch64/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_HOST) -c $< -o $@

$(HOST)/host.ld: LinkerScripts/host.ld.S $(HEADERS) $(PAYLOAD_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) -E -P -x c -nostdinc -undef $(INCLUDES) -DPAYLOAD_ADDR=$(PAYLOAD_ADDR) $< -o $@

# The test realm's flat image, embedded in the host for it to DATA_CREATE page by page.
$(HOST)/realm_image.o: Platform/aarch64/realm_image.S $(REALM)/realm.bin $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_HOST) -DREALM_BIN_PATH='"$(REALM)/realm.bin"' -c $< -o $@

$(HOST)/host.elf: $(HOST)/host-swift.o $(HOST)/host_entry.o $(HOST)/normal_vm_entry.o $(HOST)/host_storage.o $(HOST)/mem.o \
		$(HOST)/realm_image.o $(HOST)/host.ld
	$(LLD) $(LDFLAGS) -T $(HOST)/host.ld $(filter %.o,$^) -o $@

# The same host with a copy of the test realm whose image differs in one byte of a string it
# prints: the realm runs as before, and its attestation token must fail a RIM check against the
# prediction for the unchanged image (issue 5; Tests/System/systest.py).
$(TAMPERED)/realm.bin: $(REALM)/realm.bin Tests/System/tamper_realm.py
	@mkdir -p $(dir $@)
	$(PYTHON) Tests/System/tamper_realm.py $< $@

$(TAMPERED)/realm_image.o: Platform/aarch64/realm_image.S $(TAMPERED)/realm.bin $(HEADERS)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_HOST) -DREALM_BIN_PATH='"$(TAMPERED)/realm.bin"' -c $< -o $@

$(TAMPERED)/host.elf: $(HOST)/host-swift.o $(HOST)/host_entry.o $(HOST)/normal_vm_entry.o $(HOST)/host_storage.o $(HOST)/mem.o \
		$(TAMPERED)/realm_image.o $(HOST)/host.ld
	$(LLD) $(LDFLAGS) -T $(HOST)/host.ld $(filter %.o,$^) -o $@

# ---------------------------------------------------------------------------------------------
# The test realm (Firmware/Realm): bare-metal EL1 code that runs in a realm under the TMM.
# Built like the firmware (FP/SIMD off, no heap) for Armv8.0: it runs on the S-EL2 image's
# Armv8.4 CPUs and on the EL3 image's older ones (-cpu cortex-a72), and the image check proves it.

$(REALM)/realm-swift.o: $(REALM_SWIFT) $(HEADERS)
	@mkdir -p $(dir $@)
	$(SWIFT_EMBEDDED) -Xcc -march=$(MARCH_REALM) -module-name Realm -c $(filter %.swift,$^) -o $@
	@touch $@    # swiftc leaves an unchanged object's time alone

$(REALM)/%.o: Platform/aarch64/%.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_REALM) -c $< -o $@
$(REALM)/%.o: Platform/aarch64/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CFLAGS_COMMON) -march=$(MARCH_REALM) -c $< -o $@

$(REALM)/realm.ld: LinkerScripts/realm.ld.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) -E -P -x c -nostdinc -undef $(INCLUDES) $< -o $@

$(REALM)/realm.elf: $(REALM)/realm-swift.o $(REALM)/realm_entry.o $(REALM)/mem.o $(REALM)/realm.ld
	$(LLD) $(LDFLAGS) -T $(REALM)/realm.ld $(filter %.o,$^) -o $@ -Map=$(@:.elf=.map)

# ---------------------------------------------------------------------------------------------
# Guest software from Debian (Tools/guest, Docs/guest.md): a stock arm64 kernel and its modules
# per flavour, busybox, and the initramfs images. Fetched once per build tree with a private apt
# configuration under $(GUEST)/apt; `make guest-clean` drops them so the next build fetches anew.

GUEST        := $(OUT)/guest
# The realm guest's kernel flavour; the normal-world host kernel needs KVM in VHE (flavour arm64).
FLAVOUR      ?= cloud-arm64
HOST_FLAVOUR := arm64
GUEST_TOOL   := $(PYTHON) Tools/guest/guest.py
GUEST_TOOL_SOURCES := Tools/guest/guest.py Tools/guest/newc.py Tools/guest/kmod.py

guest: $(GUEST)/$(FLAVOUR)/Image $(GUEST)/$(FLAVOUR)/realm-initramfs.cpio.gz \
	$(GUEST)/$(HOST_FLAVOUR)/Image $(GUEST)/host-initramfs.cpio.gz

guest-clean:
	rm -rf $(GUEST)

# The Image is written last: its presence means the flavour's modules are there too.
$(GUEST)/%/Image:
	@$(GUEST_TOOL) fetch-kernel --flavour $* --state $(GUEST)/apt --out $(GUEST)/$*

$(GUEST)/busybox/busybox:
	@$(GUEST_TOOL) fetch-busybox --state $(GUEST)/apt --out $(GUEST)/busybox

$(GUEST)/%/realm-initramfs.cpio.gz: $(GUEST)/%/Image $(GUEST)/busybox/busybox Tools/guest/init-realm.sh \
		$(GUEST_TOOL_SOURCES)
	@$(GUEST_TOOL) initramfs --kind realm --busybox $(GUEST)/busybox/busybox --kernel $(GUEST)/$* --output $@

$(GUEST)/host-initramfs.cpio.gz: $(GUEST)/busybox/busybox Tools/guest/init-host.sh $(GUEST_TOOL_SOURCES)
	@$(GUEST_TOOL) initramfs --kind host --busybox $< --output $@

# ---------------------------------------------------------------------------------------------
# Running.

# `make run`, the main demo: Debian's Linux as a confidential VM (run-linux-realm). With a
# PAYLOAD on the command line it boots that payload instead, as run-host does.
ifeq ($(origin PAYLOAD),command line)
run: run-host
else
run: run-linux-realm
endif

# Boots the S-EL2 image with the payload, by default the project's own host, which checks the
# firmware's interfaces and runs the bare-metal test realm; both consoles are shown (normal| and
# secure|).
run-host: deps
	$(MAKE) --no-print-directory $(SEL2)/tmm-sel2.bin $(if $(filter $(BUILD)/host/host.bin,$(PAYLOAD)),$(PAYLOAD))
	$(RUN_QEMU) --image $(SEL2)/tmm-sel2.bin --cpu max --payload $(PAYLOAD) \
		--payload-addr $(PAYLOAD_ADDR) --out $(BUILD)/run

# The same on the EL3 image (-cpu cortex-a72, no Secure EL2): the host's checks, then the test
# realm run from EL3, identity-placed (Docs/el3-realms.md).
run-host-el3: deps
	$(MAKE) --no-print-directory $(EL3)/tmm-el3.bin $(HOST)/host.bin
	$(RUN_QEMU) --image $(EL3)/tmm-el3.bin --cpu $(PLATFORM_EL3_CPU) --payload $(HOST)/host.bin \
		--payload-addr $(PAYLOAD_ADDR) --out $(BUILD)/run-el3

# Debian's arm64 Linux (flavour arm64: KVM in VHE mode) as the normal-world host, with the tiny
# initramfs that prints the CPUs it sees and powers off (Docs/guest.md). LINUX_SHELL=1 gives a
# shell on this terminal instead (the command line gets tmm.shell=1; Ctrl-A X quits QEMU).
LINUX_SHELL ?=
LINUX_BOOTARGS = $(NS_BOOTARGS)$(if $(LINUX_SHELL), tmm.shell=1)
LINUX_HOST_RUN = $(RUN_QEMU) --payload $(GUEST)/$(HOST_FLAVOUR)/Image \
	--initrd $(GUEST)/host-initramfs.cpio.gz --payload-addr $(PAYLOAD_ADDR) $(if $(LINUX_SHELL),--interactive)
run-linux-host: deps
	$(MAKE) --no-print-directory NS_BOOTARGS='$(LINUX_BOOTARGS)' $(SEL2)/tmm-sel2.bin \
		$(GUEST)/$(HOST_FLAVOUR)/Image $(GUEST)/host-initramfs.cpio.gz
	$(LINUX_HOST_RUN) --image $(SEL2)/tmm-sel2.bin --cpu max --out $(BUILD)/run-linux-host
run-linux-host-el3: deps
	$(MAKE) --no-print-directory NS_BOOTARGS='$(LINUX_BOOTARGS)' $(EL3)/tmm-el3.bin \
		$(GUEST)/$(HOST_FLAVOUR)/Image $(GUEST)/host-initramfs.cpio.gz
	$(LINUX_HOST_RUN) --image $(EL3)/tmm-el3.bin --cpu $(PLATFORM_EL3_CPU) --out $(BUILD)/run-linux-host-el3

# A Linux realm (Docs/linux-realm.md): the S-EL2 image with the platform's pool for it
# (LINUX_REALM_POOL in platform.mk; on QEMU virt the 256 MiB DRAM pool, POOL=dram, which is
# not hardware-isolated there), the project's host in mode 4, a kernel Image and an
# initramfs. run-linux-realm boots Debian's kernel (FLAVOUR) with the guest initramfs, and checks
# the token it prints (fresh challenge, tmm-verify, RIM predicted by tmm-measure); run-realm
# boots the user's own kernel and initramfs with the terminal as the realm's console.
LINUX_REALM_IMAGE := $(BUILD)/tmm-sel2-$(LINUX_REALM_POOL)/tmm-sel2.bin
KERNEL      ?= $(GUEST)/$(FLAVOUR)/Image
INITRD      ?= $(GUEST)/$(FLAVOUR)/realm-initramfs.cpio.gz
APPEND      ?= console=ttyAMA0 cma=0 swiotlb=1024
MEM         ?= 128
CPUS        ?= 1
LINUX_REALM_ARGS = --platform $(PLATFORM) --image $(LINUX_REALM_IMAGE) --payload $(HOST)/host.bin --kernel $(KERNEL) \
	$(if $(INITRD),--initrd $(INITRD)) --append "$(APPEND)" --mem $(MEM) --cpus $(CPUS)

linux-realm-image:
	$(MAKE) --no-print-directory POOL=$(LINUX_REALM_POOL) $(LINUX_REALM_IMAGE) $(HOST)/host.bin

run-linux-realm: deps linux-realm-image $(KERNEL) $(INITRD)
	$(PYTHON) Tools/linux_realm.py $(LINUX_REALM_ARGS) --out $(BUILD)/linux-realm

run-realm: deps linux-realm-image
	@test -f "$(KERNEL)" || { echo "run-realm: no kernel Image at KERNEL=$(KERNEL) (make guest, or give your own)"; exit 1; }
	$(PYTHON) Tools/linux_realm.py $(LINUX_REALM_ARGS) --interactive --out $(BUILD)/run-realm

# The same guest as an ordinary VM at Non-secure EL1 under the host's own stage 2 (host mode 5,
# Firmware/Host/NormalVM, Docs/normal-vm.md): the baseline the realm is compared with. KERNEL,
# INITRD, APPEND and MEM as for the realm; one vCPU.
run-linux-vm: deps linux-realm-image
	@test -f "$(KERNEL)" || { echo "run-linux-vm: no kernel Image at KERNEL=$(KERNEL) (make guest, or give your own)"; exit 1; }
	$(RUN_QEMU) --image $(LINUX_REALM_IMAGE) --cpu max --payload $(HOST)/host.bin \
		--host-mode 5 --kernel $(KERNEL) $(if $(INITRD),--realm-initrd $(INITRD)) --append "$(APPEND)" \
		--mem $(MEM) --cpus 1 --out $(BUILD)/run-linux-vm

# The same guest as a realm and as an ordinary VM, both under -icount shift=0 on the realm's
# image, with APPEND plus tmm.bench=1: instructions to the init marker and for the /init
# workload, exits by kind, and the ratios realm / normal VM.
bench-linux: deps linux-realm-image $(KERNEL) $(INITRD)
	$(PYTHON) Tools/bench_linux.py --platform $(PLATFORM) --image $(LINUX_REALM_IMAGE) --host $(HOST)/host.bin --timeout 300 \
		--kernel $(KERNEL) --initrd $(INITRD) --append "$(APPEND) tmm.bench=1" --mem $(MEM) --out $(BUILD)/bench-linux

# The core's instructions per RMI command on this host (bench-rmi); then RMI round trips,
# realm construction commands and REC_ENTER round trips measured by the project's host, on both
# images, with instruction-counted time, and what the firmware's attestation costs at boot
# (self-test, keys, platform token signing).
BENCH_LINES := '^normal\| \[bench\]|^secure\| \[(EL3|TMM)\] .* cycles'
bench: deps-bench
	@echo "== the core's instructions per RMI command on this host (callgrind), beside TF-RMM's"
	@$(MAKE) --no-print-directory bench-rmi
	$(MAKE) --no-print-directory POOL=sram images
	@echo "== S-EL2 image (-cpu max)"
	@$(RUN_QEMU) --image $(SEL2)/tmm-sel2.bin --cpu max --payload $(HOST)/host.bin \
		--host-mode 1 --icount --out $(BUILD)/bench-sel2 | grep -E $(BENCH_LINES)
	@echo "== EL3 image (-cpu cortex-a72)"
	@$(RUN_QEMU) --image $(EL3)/tmm-el3.bin --cpu $(PLATFORM_EL3_CPU) --payload $(HOST)/host.bin \
		--host-mode 1 --icount --out $(BUILD)/bench-el3 | grep -E $(BENCH_LINES)
	@echo "== the firmware's SHA-256 and P-384 signing compiled for this host, beside swift-crypto"
	swift run -c release tmm-bench
	@echo "== Debian's Linux as a realm and as an ordinary VM"
	@$(MAKE) --no-print-directory bench-linux || echo "bench-linux: incomplete, see Docs/normal-vm.md"

# Instructions per RMI command for issue 13's fixed sequence (VERSION ... UNDELEGATE): the core
# compiled as one optimised module with a fake machine, counted by callgrind, with TF-RMM's
# figures as the reference column (README: Benchmark). Not part of `make test`.
bench-rmi: deps-bench
	$(PYTHON) Tools/rmi-count/count.py --out $(OUT)/rmi-count

# The portable SHA-256's instructions per 64-byte block on this host, counted by callgrind.
sha-count:
	@command -v valgrind >/dev/null || { echo "sha-count needs valgrind (Debian package valgrind)"; exit 1; }
	@sh Tools/sha-count/count.sh $(OUT)/sha-count

# ---------------------------------------------------------------------------------------------
# Tests.

test: deps
	@echo "== host tests (swift test)"
	swift test
	@echo "== fuzz targets: corpus replay and a short run of each (make fuzz-smoke)"
	$(MAKE) --no-print-directory fuzz-smoke
	@echo "== embedded build of the platform-independent core"
	$(MAKE) --no-print-directory core-embedded
	@echo "== platform addresses only in their platform folders"
	$(MAKE) --no-print-directory platform-check
	@echo "== firmware images ($(PLATFORMS))"
	@for platform in $(PLATFORMS); do $(MAKE) --no-print-directory PLATFORM=$$platform all-images || exit 1; done
	@echo "== image checks"
	$(MAKE) --no-print-directory image-checks
	@echo "== guest software from Debian (make guest)"
	$(MAKE) --no-print-directory guest
	@echo "== system tests (QEMU)"
	$(PYTHON) Tests/System/systest.py --out $(OUT)

CHECK_IMAGE := $(PYTHON) Tests/Image/check_image.py --objdump $(OBJDUMP) --nm $(NM)
# FP/SIMD registers only in the TMM's FP/SIMD state switch and the SHA block functions (each
# saves what it uses). The cortex-a57 check keeps SHA-512's Armv8.2 instructions out of the EL3
# image and the S-EL2 monitor; SHA-256's are Armv8.0 and run only where ID_AA64ISAR0_EL1 says so.
# Every platform's images (each platform's pool configurations: platform.mk).
image-checks:
	@sh Tests/Image/selftest.sh $(CLANG) $(LLD) $(OBJDUMP) $(NM) $(OUT)/image-selftest
	@for platform in $(PLATFORMS); do $(MAKE) --no-print-directory PLATFORM=$$platform platform-image-checks || exit 1; done

# The images of PLATFORM.
platform-image-checks:
	@echo "image checks: $(PLATFORM)"
	@for pool in $(PLATFORM_POOLS); do \
		$(CHECK_IMAGE) $(BUILD)/tmm-sel2-$$pool/tmm-sel2.elf --baseline-cpu cortex-a57:.monitor.text \
			--allow-fp-in fpsimd_save_state --allow-fp-in fpsimd_restore_state \
			--allow-fp-in sha256_blocks_ce --allow-fp-in sha512_blocks_ce || exit 1; \
		$(CHECK_IMAGE) $(BUILD)/tmm-el3-$$pool/tmm-el3.elf --baseline-cpu cortex-a57 \
			--allow-fp-in fpsimd_save_state --allow-fp-in fpsimd_restore_state \
			--allow-fp-in sha256_blocks_ce || exit 1; \
	done
	@$(CHECK_IMAGE) $(HOST)/host.elf --baseline-cpu cortex-a57
	@$(CHECK_IMAGE) $(REALM)/realm.elf --baseline-cpu cortex-a57 --allow-fp-in realm_fpsimd_add --allow-fp-in realm_fpsimd_fill \
		--allow-fp-in realm_fpsimd_changed

# No platform address outside its platform folder (Firmware/, LinkerScripts/, Platform/aarch64/,
# Tools/, the Makefile): Tests/Platform/check_platform_constants.py, its self-test first.
platform-check:
	@$(PYTHON) Tests/Platform/selftest_platform_constants.py
	@$(PYTHON) Tests/Platform/check_platform_constants.py

# ---------------------------------------------------------------------------------------------
# The platform-independent core, compiled as Embedded Swift for both architecture levels: code
# shared by the host library and the images must build both ways.
core-embedded: $(OUT)/core-check/core-armv8.4-a.o $(OUT)/core-check/core-armv8-a.o

# Embedded Swift compiles generic code only where it is specialised: Firmware/CoreCheck
# instantiates the generic core with a do-nothing back-end so that every command is compiled
# (and checked) for both architecture levels, whatever the images use.
CORE_CHECK_SWIFT := $(shell find Firmware/CoreCheck -name '*.swift' | LC_ALL=C sort)
$(OUT)/core-check/core-%.o: $(CORE_SWIFT) $(CORE_CHECK_SWIFT) Makefile
	@mkdir -p $(dir $@)
	$(SWIFT_EMBEDDED) -Xcc -march=$* -module-name TMMCore -c $(CORE_SWIFT) $(CORE_CHECK_SWIFT) -o $@
	@touch $@    # swiftc leaves an unchanged object's time alone

clean:
	rm -rf $(OUT)

include Tests/Fuzz/fuzz.mk
