// SPDX-License-Identifier: MIT
// Freestanding string and memory functions shared by the kernel and apps.
#pragma once
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
// First byte equal to (unsigned char)c in p[0..n), or NULL.
void *memchr(const void *p, int c, size_t n);
size_t strlen(const char *s);
// Length of s, but looks at no more than `max` bytes.
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
// First/last occurrence of (char)c in s (c == 0 finds the terminator), or NULL.
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
// Copies at most size-1 bytes and NUL-terminates when size > 0. Returns
// strlen(src): a result >= size means the copy was truncated.
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
// First occurrence of needle in haystack (haystack itself for an empty needle), or NULL.
char *strstr(const char *haystack, const char *needle);
