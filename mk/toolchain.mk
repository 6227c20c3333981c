# SPDX-License-Identifier: MIT
# Compiler and flags shared by every arch: clang and ld.lld cross-compiling freestanding code.

CC := clang
LD := ld.lld
OBJCOPY := llvm-objcopy-14
PYTHON := python3

WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter
COMMON_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -nostdlibinc -fno-stack-protector \
	-fno-omit-frame-pointer -fno-common -fvisibility=hidden -MMD -MP \
	-I. -Ilib/c/include
# The kernel: linked at a fixed address.
KERNEL_CFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS) $(ARCH_KERNEL_CFLAGS) -Ikernel/arch/$(ARCH) -fno-pic
# Apps: position-independent, so the same ELF loads anywhere, in kernel or user space.
APP_CFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS) -fPIE -Ilib/stellina/include -I$(BUILD)/gen
APP_LDFLAGS := -pie --no-dynamic-linker -z text -z max-page-size=4096 --hash-style=sysv -e _start -T mk/app.ld
