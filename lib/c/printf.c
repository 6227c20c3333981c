// SPDX-License-Identifier: MIT
// The printf formatting engine: vcbprintf streams to a callback, vsnprintf/snprintf fill a buffer.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct spec {
    bool left;     // '-': pad on the right
    bool zero;     // '0': pad numbers with zeros
    bool plus;     // '+': always print a sign
    bool space;    // ' ': a space where a plus sign would be
    bool alt;      // '#': 0x for hex, a leading 0 for octal
    int width;     // minimum field width
    int precision; // -1: none given
};

struct sink {
    format_out_fn out;
    void *ctx;
    size_t total; // everything produced so far, even if the sink dropped it
};

static void emit(struct sink *k, const char *s, size_t len) {
    if (len > 0)
        k->out(k->ctx, s, len);
    k->total += len;
}

static void emit_repeat(struct sink *k, char c, int n) {
    char chunk[16];
    memset(chunk, c, sizeof(chunk));
    while (n > 0) {
        size_t part = n < (int)sizeof(chunk) ? (size_t)n : sizeof(chunk);
        emit(k, chunk, part);
        n -= (int)part;
    }
}

// Writes `body` (len bytes) in a field: [pad][prefix][zeros][body][pad].
static void emit_field(struct sink *k, const struct spec *sp, const char *prefix, int zeros,
                       const char *body, int len) {
    int plen = (int)strlen(prefix);
    int pad = sp->width - plen - zeros - len;
    if (pad < 0)
        pad = 0;
    if (!sp->left)
        emit_repeat(k, ' ', pad);
    emit(k, prefix, (size_t)plen);
    emit_repeat(k, '0', zeros);
    emit(k, body, (size_t)len);
    if (sp->left)
        emit_repeat(k, ' ', pad);
}

static void emit_number(struct sink *k, const struct spec *sp, uint64_t v, bool negative,
                        unsigned base, bool upper, const char *base_prefix) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24]; // 22 octal digits are the longest 64-bit number
    int len = 0;
    // C says a zero with precision 0 prints no digits at all.
    if (!(v == 0 && sp->precision == 0)) {
        do {
            buf[sizeof(buf) - 1 - len++] = digits[v % base];
            v /= base;
        } while (v != 0);
    }
    const char *body = buf + sizeof(buf) - len;

    char prefix[4] = "";
    if (negative)
        strlcpy(prefix, "-", sizeof(prefix));
    else if (sp->plus)
        strlcpy(prefix, "+", sizeof(prefix));
    else if (sp->space)
        strlcpy(prefix, " ", sizeof(prefix));
    else if (base_prefix != NULL)
        strlcpy(prefix, base_prefix, sizeof(prefix));

    int zeros = 0;
    if (sp->precision >= 0) {
        zeros = sp->precision > len ? sp->precision - len : 0;
    } else if (sp->zero && !sp->left) {
        int room = sp->width - (int)strlen(prefix) - len;
        zeros = room > 0 ? room : 0;
    }
    // '#' with octal: the first digit must be 0, which precision zeros may already give.
    if (base_prefix != NULL && base_prefix[0] == '0' && base_prefix[1] == '\0') {
        prefix[0] = '\0';
        if (zeros == 0 && (len == 0 || body[0] != '0'))
            zeros = 1;
    }
    emit_field(k, sp, prefix, zeros, body, len);
}

// Reads a number from the format, or from the arguments for '*'.
static int read_count(const char **fmt, va_list *ap) {
    if (**fmt == '*') {
        (*fmt)++;
        return va_arg(*ap, int);
    }
    int n = 0;
    while (**fmt >= '0' && **fmt <= '9') {
        if (n < 100000000) // keep absurd widths from overflowing
            n = n * 10 + (**fmt - '0');
        (*fmt)++;
    }
    return n;
}

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z };

static uint64_t read_unsigned(va_list *ap, enum length len) {
    switch (len) {
    case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L: return va_arg(*ap, unsigned long);
    case LEN_LL: return va_arg(*ap, unsigned long long);
    case LEN_Z: return va_arg(*ap, size_t);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t read_signed(va_list *ap, enum length len) {
    switch (len) {
    case LEN_HH: return (signed char)va_arg(*ap, int);
    case LEN_H: return (short)va_arg(*ap, int);
    case LEN_L: return va_arg(*ap, long);
    case LEN_LL: return va_arg(*ap, long long);
    case LEN_Z: return (int64_t)va_arg(*ap, size_t);
    default: return va_arg(*ap, int);
    }
}

int vcbprintf(format_out_fn out, void *ctx, const char *fmt, va_list ap_in) {
    struct sink k = {.out = out, .ctx = ctx, .total = 0};
    va_list ap;
    va_copy(ap, ap_in);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            const char *end = strchr(fmt, '%');
            size_t n = end != NULL ? (size_t)(end - fmt) : strlen(fmt);
            emit(&k, fmt, n);
            fmt += n;
            continue;
        }
        const char *start = fmt++;
        struct spec sp = {.precision = -1};
        for (;; fmt++) {
            if (*fmt == '-')
                sp.left = true;
            else if (*fmt == '0')
                sp.zero = true;
            else if (*fmt == '+')
                sp.plus = true;
            else if (*fmt == ' ')
                sp.space = true;
            else if (*fmt == '#')
                sp.alt = true;
            else
                break;
        }
        sp.width = read_count(&fmt, &ap);
        if (sp.width < 0) { // a negative '*' width means left-justify
            sp.left = true;
            sp.width = -sp.width;
        }
        if (*fmt == '.') {
            fmt++;
            sp.precision = read_count(&fmt, &ap);
            if (sp.precision < 0)
                sp.precision = -1; // a negative '*' precision counts as none
        }
        enum length len = LEN_NONE;
        if (fmt[0] == 'h' && fmt[1] == 'h') {
            len = LEN_HH;
            fmt += 2;
        } else if (fmt[0] == 'h') {
            len = LEN_H;
            fmt++;
        } else if (fmt[0] == 'l' && fmt[1] == 'l') {
            len = LEN_LL;
            fmt += 2;
        } else if (fmt[0] == 'l') {
            len = LEN_L;
            fmt++;
        } else if (fmt[0] == 'z') {
            len = LEN_Z;
            fmt++;
        }

        char conv = *fmt;
        if (conv == '\0') { // a lone '%' at the end: print it as it was
            emit(&k, start, (size_t)(fmt - start));
            break;
        }
        fmt++;
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = read_signed(&ap, len);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            emit_number(&k, &sp, mag, v < 0, 10, false, NULL);
            break;
        }
        case 'u':
            sp.plus = sp.space = false;
            emit_number(&k, &sp, read_unsigned(&ap, len), false, 10, false, NULL);
            break;
        case 'x':
        case 'X': {
            sp.plus = sp.space = false;
            uint64_t v = read_unsigned(&ap, len);
            const char *pfx = sp.alt && v != 0 ? (conv == 'x' ? "0x" : "0X") : NULL;
            emit_number(&k, &sp, v, false, 16, conv == 'X', pfx);
            break;
        }
        case 'o':
            sp.plus = sp.space = false;
            emit_number(&k, &sp, read_unsigned(&ap, len), false, 8, false, sp.alt ? "0" : NULL);
            break;
        case 'p':
            sp.plus = sp.space = false;
            emit_number(&k, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x");
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_field(&k, &sp, "", 0, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            // With a precision, s need not be NUL-terminated: look no further.
            size_t n = sp.precision >= 0 ? strnlen(s, (size_t)sp.precision) : strlen(s);
            emit_field(&k, &sp, "", 0, s, (int)n);
            break;
        }
        case '%': emit(&k, "%", 1); break;
        default: emit(&k, start, (size_t)(fmt - start)); break;
        }
    }
    va_end(ap);
    return (int)k.total;
}

struct buf_sink {
    char *buf;
    size_t size; // capacity including the NUL
    size_t used;
};

static void buf_out(void *ctx, const char *s, size_t len) {
    struct buf_sink *b = ctx;
    if (b->size == 0)
        return;
    size_t room = b->size - 1 - b->used;
    size_t n = len < room ? len : room;
    memcpy(b->buf + b->used, s, n);
    b->used += n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    struct buf_sink b = {.buf = buf, .size = size, .used = 0};
    int total = vcbprintf(buf_out, &b, fmt, ap);
    if (size > 0)
        buf[b.used] = '\0';
    return total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
