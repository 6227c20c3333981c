// SPDX-License-Identifier: MIT
// Formatting into buffers (snprintf family); console output is the kernel's kprintf or
// libstellina's printf.
#pragma once
#include <stdarg.h>
#include <stddef.h>

// Conversions: %d %i %u %x %X %o %p %s %c %%, length modifiers hh h l ll z,
// flags - 0 + space #, width and precision (both may be *). An unknown
// conversion is copied out as is.

// Formats into buf (at most size bytes, always NUL-terminated when size > 0).
// Returns the length the whole output would have had, without the NUL: a
// result >= size means the output was truncated.
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// Formats by handing pieces of the output to `out` as they are produced (no
// buffer limit; used by kprintf and libstellina's printf). Returns the total
// length written.
typedef void (*format_out_fn)(void *ctx, const char *s, size_t len);
int vcbprintf(format_out_fn out, void *ctx, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
