# SPDX-License-Identifier: MIT
# x86_64: QEMU microvm booted through the PVH ELF note; kernel identity-mapped at 1 MiB.

TARGET := x86_64-unknown-elf
# No FPU/SSE state in the kernel or apps (nothing to save on a switch). No red
# zone anywhere: in-kernel apps run in ring 0, where an interrupt pushes its
# frame right below the interrupted rsp.
ARCH_CFLAGS := --target=$(TARGET) -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-80387
# The kernel is linked and run in the low 2 GiB (identity map), so the small code model fits.
ARCH_KERNEL_CFLAGS := -mcmodel=small
ARCH_LDFLAGS := -m elf_x86_64

QEMU := qemu-system-x86_64
# microvm's defaults give COM1 (isa-serial), the PIT, two I/O APICs, ACPI (the
# GED power-off register) and no PCI. isa-debug-exit reports failure (see arch_shutdown).
QEMU_MACHINE := -M microvm -cpu max -smp 2 -m 128M -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_KERNEL_ARGS = -kernel $(1)
GDB := gdb-multiarch

