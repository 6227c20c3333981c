# SPDX-License-Identifier: MIT
# Stellina's entry point: make, make run, make test, make bench, make debug (ARCH=riscv64, SYSTEM=default).

ARCH ?= riscv64
SYSTEM ?= default
BUILD := build/$(ARCH)
V ?= 0
ifeq ($(V),0)
Q := @
endif

include mk/$(ARCH).mk
include mk/toolchain.mk

SETUP_STAMP := build/.setup-done

# ---- sources ----------------------------------------------------------------
KERNEL_SRCS := $(wildcard kernel/core/*.c) $(wildcard kernel/drivers/*.c) \
	$(wildcard kernel/arch/$(ARCH)/*.c) $(wildcard kernel/arch/$(ARCH)/*.S)
LIBC_SRCS := $(wildcard lib/c/*.c)
# The kernel takes lib/c's string, formatting and ctype functions, not its malloc (it has kmalloc).
LIBC_KERNEL_SRCS := $(filter-out lib/c/malloc.c,$(LIBC_SRCS))
LIBSTELLINA_SRCS := $(wildcard lib/stellina/*.c) $(wildcard lib/stellina/arch/$(ARCH)/*.S)
# Every folder in apps/ with an app.toml is an app; its sources are its *.c files.
APPS := $(patsubst apps/%/app.toml,%,$(wildcard apps/*/app.toml))

obj = $(patsubst %,$(BUILD)/$(1)/%.o,$(2))
KERNEL_OBJS := $(call obj,kernel,$(KERNEL_SRCS) $(LIBC_KERNEL_SRCS)) $(BUILD)/kernel/bootfs_image.o
APP_LIB_OBJS := $(call obj,app,$(LIBC_SRCS) $(LIBSTELLINA_SRCS))
APP_ELFS := $(foreach a,$(APPS),$(BUILD)/apps/$(a).elf)
IMAGE := $(BUILD)/stellina-$(SYSTEM).elf
BOOTFS := $(BUILD)/bootfs-$(SYSTEM).bin

.PHONY: all run test debug unit clean setup bench
all: $(IMAGE)
# Extra libraries apps ask for in app.toml ([build] libs): lib/virtio, lwIP.
include mk/libs.mk

# ---- setup (installs what a fresh Debian machine lacks; once) -----------------
$(SETUP_STAMP): tools/setup.sh
	$(Q)bash tools/setup.sh
	$(Q)mkdir -p $(dir $@) && touch $@
setup: $(SETUP_STAMP)

# ---- compile ----------------------------------------------------------------
$(BUILD)/kernel/%.c.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<
$(BUILD)/kernel/%.S.o: %.S | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<
$(BUILD)/app/%.c.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(APP_CFLAGS) -c -o $@ $<
$(BUILD)/app/%.S.o: %.S | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(APP_CFLAGS) -c -o $@ $<

# ---- apps ---------------------------------------------------------------------
# Keep objects of pattern rules (make would delete them as intermediates).
.SECONDARY:
.SECONDEXPANSION:
# Apps and protocols are found along APP_PATH and PROTOCOL_PATH (folders; the
# tutorial test adds its own). tools/specgen writes each app's env.h and
# startup.c and each protocol's stubs into $(GEN), rewriting only files whose
# text changes (docs/specs.md).
APP_PATH ?= apps
PROTOCOL_PATH ?= protocols
SYSTEM_SPEC ?= systems/$(SYSTEM).toml
SPECGEN = $(PYTHON) tools/specgen --apps "$(APP_PATH)" --protocols "$(PROTOCOL_PATH)"
GEN := $(BUILD)/gen
GEN_STAMP := $(GEN)/.stamp
SPEC_APPS := $(notdir $(patsubst %/app.toml,%,$(wildcard $(addsuffix /*/app.toml,$(APP_PATH)))))
$(GEN_STAMP): $(wildcard $(addsuffix /*/app.toml,$(APP_PATH)) $(addsuffix /*.toml,$(PROTOCOL_PATH))) \
		$(wildcard tools/specgen/*.py)
	@mkdir -p $(dir $@)
	@echo "  SPECGEN $(GEN)"
	$(Q)$(SPECGEN) gen --out $(GEN)
	@touch $@
$(GEN)/apps/%/startup.c: $(GEN_STAMP) ;
# The folder of app $(1) (its first along APP_PATH) and its objects: its own *.c
# plus the generated startup code (which compiles in the protocols it speaks).
app_dir = $(patsubst %/app.toml,%,$(firstword $(wildcard $(addsuffix /$(1)/app.toml,$(APP_PATH)))))
app_objs = $(call obj,app,$(wildcard $(call app_dir,$(1))/*.c) $(GEN)/apps/$(1)/startup.c)
# App code includes generated headers: it waits for (and follows) the generator.
$(foreach a,$(SPEC_APPS),$(call app_objs,$(a))): $(GEN_STAMP)
$(BUILD)/apps/%.elf: $$(call app_objs,$$*) $$(call app_lib_objs,$$*) $(APP_LIB_OBJS) mk/app.ld
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) $(ARCH_LDFLAGS) $(APP_LDFLAGS) -o $@ $(filter %.o,$^)

# ---- boot image: kernel + bootfs (the system's plan and its apps) --------------
# The apps the system spec names (just these are built into its image).
# (Empty if the spec is broken: the bootfs step then reports why.)
SYSTEM_APPS := $(shell $(SPECGEN) list-apps --system $(SYSTEM_SPEC))
$(BOOTFS): $(SYSTEM_SPEC) $(foreach a,$(SYSTEM_APPS),$(BUILD)/apps/$(a).elf) $(GEN_STAMP)
	@mkdir -p $(dir $@)
	@echo "  BOOTFS  $@"
	$(Q)$(SPECGEN) bootfs --system $(SYSTEM_SPEC) --elf-dir $(BUILD)/apps -o $@

$(BUILD)/kernel/bootfs_image-$(SYSTEM).o: kernel/core/bootfs_image.S $(BOOTFS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KERNEL_CFLAGS) -DBOOTFS_PATH='"$(BOOTFS)"' -c -o $@ $<

KERNEL_OBJS := $(filter-out $(BUILD)/kernel/bootfs_image.o,$(KERNEL_OBJS))
$(IMAGE): $(KERNEL_OBJS) $(BUILD)/kernel/bootfs_image-$(SYSTEM).o kernel/arch/$(ARCH)/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(ARCH_LDFLAGS) -T kernel/arch/$(ARCH)/kernel.ld -o $@ $(filter %.o,$^)

# ---- run ----------------------------------------------------------------------
# The NIC: NETDEV is the -netdev argument (keep id=n0); by default QEMU's user
# network with the guest's web server forwarded to 127.0.0.1:$(HTTP_PORT).
# QEMUFLAGS adds any QEMU options. See docs/networking.md.
HTTP_PORT ?= 8080
NETDEV ?= user,id=n0,hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80
QEMU_NET = -netdev $(NETDEV) -device virtio-net-device,netdev=n0
QEMU_FLAGS = $(QEMU_MACHINE) -nographic -serial mon:stdio $(QEMU_NET) $(QEMUFLAGS)
# QEMU's forwarded ports listen with a backlog of 1; this raises it (tools/listen_backlog.c).
LISTEN_SHIM := $(BUILD)/listen_backlog.so
$(LISTEN_SHIM): tools/listen_backlog.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -fPIC -O2 -o $@ $< -ldl
run: $(IMAGE) $(LISTEN_SHIM)
	@echo "Booting Stellina ($(ARCH), system '$(SYSTEM)'). Quit QEMU with Ctrl-A X."
	$(if $(filter command line environment,$(origin NETDEV)),,@echo "Web server: http://127.0.0.1:$(HTTP_PORT)/")
	LD_PRELOAD=$(abspath $(LISTEN_SHIM)) $(QEMU) $(QEMU_FLAGS) $(call QEMU_KERNEL_ARGS,$(IMAGE))

debug: $(IMAGE)
	$(PYTHON) tools/debug.py --arch $(ARCH) --image $(IMAGE) --apps-dir $(BUILD)/apps \
		--qemu "$(QEMU) $(QEMU_FLAGS) $(call QEMU_KERNEL_ARGS,$(IMAGE))" --gdb $(GDB)

# ---- tests --------------------------------------------------------------------
# Every tier on every arch that exists (ARCH=... narrows to one).
test: $(SETUP_STAMP)
	$(Q)$(PYTHON) tools/test.py $(if $(filter command line,$(origin ARCH)),--arch $(ARCH))

unit: $(SETUP_STAMP)
	$(Q)$(MAKE) -f tests/unit/unit.mk

# Fuzzes the generated protocol decoders with libFuzzer (make test runs it for 20 s).
.PHONY: fuzz
FUZZ_SECONDS ?= 300
fuzz: $(SETUP_STAMP)
	$(Q)$(PYTHON) tests/fuzz/run.py --seconds $(FUZZ_SECONDS)

# ---- benchmarks ---------------------------------------------------------------
# Stellina on every arch (ARCH=... narrows to one) and the Linux baseline guest of
# bench/linux/, side by side; writes build/bench/results.json (see docs/benchmarks.md).
bench: $(SETUP_STAMP)
	$(Q)$(PYTHON) tools/bench.py $(if $(filter command line,$(origin ARCH)),--arch $(ARCH))

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
