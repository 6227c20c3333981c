// SPDX-License-Identifier: MIT
// Number parsing, abs, and the app heap (malloc family; apps only, the kernel uses kmalloc).
#pragma once
#include <stddef.h>

// Parses an integer like C's strtol: leading spaces, an optional sign, then
// digits in `base` (2..36; 0 picks 16 for "0x", 8 for "0", else 10; base 16
// accepts "0x"). Out-of-range values clamp to LONG_MIN/LONG_MAX (there is no
// errno). If endp is not NULL it gets the first unparsed char (s itself when
// there were no digits).
long strtol(const char *s, char **endp, int base);
// Same for unsigned long; a '-' negates the result as in C; overflow gives ULONG_MAX.
unsigned long strtoul(const char *s, char **endp, int base);
int atoi(const char *s);
int abs(int v);
long labs(long v);

// The app heap. Memory is 16-byte aligned; calloc zeroes; realloc(NULL, n) is
// malloc(n); free(NULL) does nothing. Freeing a pointer that malloc did not
// return, or freeing twice, traps. NULL on failure.
void *malloc(size_t size);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t size);

// Implemented by the runtime (libstellina), not by lib/c: returns `bytes` (a
// multiple of 4096) of fresh, zeroed, page-aligned memory that the heap owns
// from then on, or NULL. The heap never gives memory back through it.
void *__libc_alloc_pages(size_t bytes);
