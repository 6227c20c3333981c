// SPDX-License-Identifier: MIT
// Freestanding string and memory functions: simple byte loops, word copies where aligned.
#include <stdint.h>
#include <string.h>

// Lets the word loops read and write any object type without breaking aliasing rules.
typedef uint64_t __attribute__((may_alias)) word_t;

// Copies `words` words, eight a round while they last (one loop test and
// one pointer step per eight, on every target: the compilers' own unrolling
// differs by target and costs a small copy more than it saves), then one a
// round.
static inline void copy_words(word_t *dw, const word_t *sw, size_t words) {
#pragma clang loop unroll(disable)
    for (; words >= 8; words -= 8, dw += 8, sw += 8) {
        for (int i = 0; i < 8; i++)
            dw[i] = sw[i];
    }
#pragma clang loop unroll(disable)
    for (; words > 0; words--)
        *dw++ = *sw++;
}

// Word-at-a-time copy when both pointers share alignment: memcpy is on the
// message path (up to 4 KiB per send), so bytes alone would be slow.
void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    // The common case first, with one test: both pointers and the length word
    // multiples (an 8-byte message header or payload took 31 instructions
    // through the general path below).
    if ((((uintptr_t)d | (uintptr_t)s | n) & (sizeof(word_t) - 1)) == 0) {
        copy_words((word_t *)d, (const word_t *)s, n / sizeof(word_t));
        return dst;
    }
    if ((((uintptr_t)d ^ (uintptr_t)s) & (sizeof(word_t) - 1)) == 0) {
        while (n > 0 && ((uintptr_t)d & (sizeof(word_t) - 1)) != 0) {
            *d++ = *s++;
            n--;
        }
        size_t words = n / sizeof(word_t);
        copy_words((word_t *)d, (const word_t *)s, words);
        d += words * sizeof(word_t);
        s += words * sizeof(word_t);
        n -= words * sizeof(word_t);
    }
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    // Copying forwards is only unsafe when dst starts inside [src, src + n).
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n-- > 0)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    while (n > 0 && ((uintptr_t)d & (sizeof(word_t) - 1)) != 0) {
        *d++ = b;
        n--;
    }
    uint64_t word = b * 0x0101010101010101ull;
    word_t *dw = (word_t *)d;
    for (; n >= sizeof(word_t); n -= sizeof(word_t))
        *dw++ = word;
    d = (unsigned char *)dw;
    while (n-- > 0)
        *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max) {
    size_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}

int strcmp(const char *a, const char *b) {
    return strncmp(a, b, SIZE_MAX);
}

int strncmp(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y)
            return x < y ? -1 : 1;
        if (x == '\0')
            return 0;
    }
    return 0;
}

void *memchr(const void *p, int c, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] == (unsigned char)c)
            return (void *)(b + i);
    }
    return NULL;
}

char *strchr(const char *s, int c) {
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}

char *strrchr(const char *s, int c) {
    const char *found = NULL;
    for (;; s++) {
        if (*s == (char)c)
            found = s;
        if (*s == '\0')
            return (char *)found;
    }
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size) {
    size_t len = strlen(src);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

char *strstr(const char *haystack, const char *needle) {
    size_t n = strlen(needle);
    for (; *haystack != '\0' || n == 0; haystack++) {
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    }
    return NULL;
}
