# SPDX-License-Identifier: MIT
# Compiler and flags shared by every arch: clang and ld.lld cross-compiling freestanding code.

CC := clang
LD := ld.lld
OBJCOPY := llvm-objcopy-14
PYTHON := python3

WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter
# Frame pointers for backtraces, except in leaf functions: there the frame
# would be most of the cost of the syscall stubs, memcpy and the small helpers
# of the IPC path (a leaf's own caller is then missing from a backtrace).
COMMON_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -nostdlibinc -fno-stack-protector \
	-fno-omit-frame-pointer -momit-leaf-frame-pointer -fno-common -fvisibility=hidden -MMD -MP \
	-I. -Ilib/c/include
# The kernel: linked at a fixed address, optimized across files at link time
# (ld.lld does the LTO): handle lookups, pointer checks, user copies and
# object references inline into the syscall paths. KERNEL_LTO= turns it off.
KERNEL_LTO ?= -flto
KERNEL_CFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS) $(ARCH_KERNEL_CFLAGS) -Ikernel/arch/$(ARCH) -fno-pic \
	$(KERNEL_LTO)
# Apps: position-independent, so the same ELF loads anywhere, in kernel or user space.
APP_CFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS) -fPIE -Ilib/stellina/include -I$(BUILD)/gen
APP_LDFLAGS := -pie --no-dynamic-linker -z text -z max-page-size=4096 --hash-style=sysv -e _start -T mk/app.ld
