// SPDX-License-Identifier: MIT
// Basic definitions every kernel file uses: types, errors, assertions, printing.
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../../abi/error.h"
#include "../../abi/poll.h"
#include "../../abi/startinfo.h"
#include "../../abi/handle.h"
#include "../../abi/vm.h"
#include "../arch/arch.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a) - 1)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MUST_CHECK __attribute__((warn_unused_result))
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))
// For the few small functions on the IPC path, where a call frame (saving and
// restoring registers) is a measurable share of a round trip.
#define ALWAYS_INLINE static inline __attribute__((always_inline))
// Kept out of line: for a function whose frame must not be merged into its
// callers' (the IPC fast path, syscall_channel.c), or a cold path.
#define NOINLINE __attribute__((noinline))

// How many CPUs the machine has (main.c, from boot_info); the kernel runs on one of them.
extern uint32_t machine_cpus;

// Kernel console output (printf format, see lib/c/include/stdio.h); also kept in the log ring.
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// A broken kernel invariant: print, dump, backtrace, power off with failure.
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define ASSERT(cond)                                                                      \
    do {                                                                                  \
        if (!(cond))                                                                      \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);           \
    } while (0)
