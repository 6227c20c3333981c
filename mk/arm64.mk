# SPDX-License-Identifier: MIT
# arm64: QEMU virt with GICv3, booted through -kernel with an arm64 Image (kernel at EL1, DTB in x0).

TARGET := aarch64-unknown-elf
# No FP/SIMD in the kernel or apps (nothing to save on a switch; CPACR_EL1 keeps it trapping).
ARCH_CFLAGS := --target=$(TARGET) -mgeneral-regs-only -mno-outline-atomics
ARCH_KERNEL_CFLAGS := -mcmodel=small
ARCH_LDFLAGS := -m aarch64elf

QEMU := qemu-system-aarch64
# -semihosting lets arch_shutdown hand QEMU an exit status (PSCI SYSTEM_OFF always exits 0).
QEMU_MACHINE := -machine virt,gic-version=3 -cpu cortex-a72 -smp 2 -m 128M -semihosting
GDB := gdb-multiarch

# QEMU passes the DTB in x0 only to a kernel with the arm64 Image header, so
# QEMU boots the raw Image cut from the ELF (the ELF stays for gdb). `all`,
# `run` and `debug` depend on it; BUILD and SYSTEM are set before this file is
# read. The rules below would otherwise make `run` the default goal.
ARM64_IMAGE = $(1:.elf=.img)
ARM64_KERNEL_IMAGE := $(BUILD)/stellina-$(SYSTEM).img
QEMU_KERNEL_ARGS = -kernel $(call ARM64_IMAGE,$(1))
.DEFAULT_GOAL := all
all run debug: $(ARM64_KERNEL_IMAGE)
$(ARM64_KERNEL_IMAGE): $(BUILD)/stellina-$(SYSTEM).elf
	@echo "  IMAGE   $@"
	$(Q)$(OBJCOPY) -O binary $< $@

