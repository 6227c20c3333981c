# SPDX-License-Identifier: MIT
# riscv64: QEMU virt with OpenSBI; kernel in S-mode at 0x80200000.

TARGET := riscv64-unknown-elf
# No floating point in the kernel or apps (nothing to save on a switch); no linker relaxation (lld).
ARCH_CFLAGS := --target=$(TARGET) -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_KERNEL_CFLAGS :=
ARCH_LDFLAGS := -m elf64lriscv

QEMU := qemu-system-riscv64
QEMU_MACHINE := -machine virt -bios default -smp 2 -m 128M
# Console on stdio; no default devices beyond what virt has.
QEMU_KERNEL_ARGS = -kernel $(1)
GDB := gdb-multiarch
