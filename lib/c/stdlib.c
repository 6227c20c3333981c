// SPDX-License-Identifier: MIT
// strtol and friends: number parsing without errno or locales.
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

static int digit_value(char c) {
    if (isdigit(c))
        return c - '0';
    if (islower(c))
        return c - 'a' + 10;
    if (isupper(c))
        return c - 'A' + 10;
    return 99; // larger than any base
}

// Parses the magnitude shared by strtol and strtoul; *overflow is set when
// it does not fit in an unsigned long (the result is then ULONG_MAX).
static unsigned long parse(const char *s, char **endp, int base, bool *negative, bool *overflow) {
    const char *p = s;
    *negative = false;
    *overflow = false;
    while (isspace(*p))
        p++;
    if (*p == '+' || *p == '-')
        *negative = *p++ == '-';
    // "0x" counts as a prefix only if a hex digit follows; else the "0" is the number.
    bool hex_prefix = p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16;
    if ((base == 0 || base == 16) && hex_prefix) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    if (base < 2 || base > 36) {
        if (endp != NULL)
            *endp = (char *)s;
        return 0;
    }
    unsigned long v = 0;
    const char *digits = p;
    for (int d; (d = digit_value(*p)) < base; p++) {
        if (v > (ULONG_MAX - (unsigned long)d) / (unsigned long)base)
            *overflow = true;
        else
            v = v * (unsigned long)base + (unsigned long)d;
    }
    if (endp != NULL)
        *endp = (char *)(p == digits ? s : p);
    return *overflow ? ULONG_MAX : v;
}

long strtol(const char *s, char **endp, int base) {
    bool negative, overflow;
    unsigned long mag = parse(s, endp, base, &negative, &overflow);
    if (negative) {
        if (overflow || mag > (unsigned long)LONG_MAX + 1)
            return LONG_MIN;
        return (long)(0 - mag);
    }
    if (overflow || mag > (unsigned long)LONG_MAX)
        return LONG_MAX;
    return (long)mag;
}

unsigned long strtoul(const char *s, char **endp, int base) {
    bool negative, overflow;
    unsigned long mag = parse(s, endp, base, &negative, &overflow);
    if (overflow)
        return ULONG_MAX;
    return negative ? 0 - mag : mag;
}

int atoi(const char *s) {
    return (int)strtol(s, NULL, 10);
}

int abs(int v) {
    return v < 0 ? -v : v;
}

long labs(long v) {
    return v < 0 ? -v : v;
}
