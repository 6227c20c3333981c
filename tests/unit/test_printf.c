// SPDX-License-Identifier: MIT
// Host tests of lib/c's formatting (snprintf family): every conversion, truncation, the NUL.
// UNIT_LIBC_SOURCES: lib/c/printf.c lib/c/string.c
#include "harness.h"
#include "libc_rename.h"
#include "lib/c/include/stdio.h"
#include "lib/c/include/string.h"

// Some checks pass deliberately odd formats and promoted arguments.
#pragma clang diagnostic ignored "-Wformat"
#pragma clang diagnostic ignored "-Wformat-invalid-specifier"

// Formats with lib/c and compares against the expected text and length.
#define CHECK(expected, ...)                                                                       \
    do {                                                                                           \
        char buf_[256];                                                                            \
        int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);                                        \
        EXPECT_STREQ(buf_, expected);                                                              \
        EXPECT_EQ(n_, (int)__builtin_strlen(expected));                                            \
    } while (0)

TEST(integers) {
    CHECK("0", "%d", 0);
    CHECK("-42 42", "%d %i", -42, 42);
    CHECK("-2147483648", "%d", (int)0x80000000u);
    CHECK("4294967295", "%u", 0xffffffffu);
    CHECK("ff FF 377", "%x %X %o", 255, 255, 255);
    CHECK("deadbeef", "%x", 0xdeadbeefu);
    CHECK("18446744073709551615", "%llu", 18446744073709551615ull);
    CHECK("-9223372036854775808", "%lld", (long long)(-9223372036854775807ll - 1));
    CHECK("-1", "%ld", -1L);
    CHECK("123456789012", "%zu", (size_t)123456789012ull);
    CHECK("-1 65535 255 -1", "%hd %hu %hhu %hhd", 0xffff, 0xffff, 0x1ff, 0xff);
    CHECK("ffffffffffffffff", "%lx", ~0ul);
}

TEST(width_flags_precision) {
    CHECK("   42", "%5d", 42);
    CHECK("42   |", "%-5d|", 42);
    CHECK("00042", "%05d", 42);
    CHECK("-0042", "%05d", -42);
    CHECK("+42 -42", "%+d %+d", 42, -42);
    CHECK(" 42", "% d", 42);
    CHECK("00042", "%.5d", 42);
    CHECK("  00042", "%7.5d", 42);
    CHECK("   42", "%05.0d", 42); // a precision turns off '0'
    CHECK("", "%.0d", 0);
    CHECK("0x1f 0X1F", "%#x %#X", 31, 31);
    CHECK("0 017", "%#x %#o", 0, 15);
    CHECK("0x00ff", "%#06x", 255);
    CHECK("    7", "%*d", 5, 7);
    CHECK("7    |", "%*d|", -5, 7);
    CHECK("00000000deadbeef", "%016lx", 0xdeadbeeful);
}

TEST(strings_and_chars) {
    CHECK("hello", "%s", "hello");
    CHECK("(null)", "%s", (char *)NULL);
    CHECK("  abc|abc  |", "%5s|%-5s|", "abc", "abc");
    CHECK("he", "%.2s", "hello");
    CHECK("hel", "%.*s", 3, "hello");
    CHECK("   he", "%5.2s", "hello");
    // With a precision the string need not be NUL-terminated.
    char raw[3] = {'x', 'y', 'z'};
    CHECK("xyz", "%.3s", raw);
    CHECK("a b", "%c %c", 'a', 'b');
    CHECK("  z", "%3c", 'z');
    CHECK("100%", "100%%");
    CHECK("", "%s", "");
}

TEST(pointers) {
    CHECK("0x1000", "%p", (void *)0x1000);
    CHECK("0x0", "%p", (void *)0);
    CHECK("0xffffffffffffffff", "%p", (void *)~(uintptr_t)0);
}

TEST(unknown_conversion_is_copied) {
    CHECK("%y", "%y");
    CHECK("a %", "a %");
}

TEST(truncation_and_nul) {
    char buf[8];
    memset(buf, 'Q', sizeof(buf));
    EXPECT_EQ(snprintf(buf, sizeof(buf), "%s", "hello world"), 11);
    EXPECT_STREQ(buf, "hello w");
    memset(buf, 'Q', sizeof(buf));
    EXPECT_EQ(snprintf(buf, 1, "%d", 12345), 5);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'Q');
    // size 0: nothing written at all, not even the NUL.
    memset(buf, 'Q', sizeof(buf));
    EXPECT_EQ(snprintf(buf, 0, "abc"), 3);
    EXPECT_EQ(buf[0], 'Q');
    EXPECT_EQ(snprintf(NULL, 0, "%05d", 1), 5);
    // Exactly fitting.
    EXPECT_EQ(snprintf(buf, sizeof(buf), "%7d", 1), 7);
    EXPECT_STREQ(buf, "      1");
    // Long padding past the end.
    EXPECT_EQ(snprintf(buf, sizeof(buf), "%100d", 1), 100);
    EXPECT_STREQ(buf, "       ");
}

static void collect(void *ctx, const char *s, size_t len) {
    char *out = ctx;
    size_t used = strlen(out);
    memcpy(out + used, s, len);
    out[used + len] = '\0';
}

static int cb_format(char *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vcbprintf(collect, out, fmt, ap);
    va_end(ap);
    return n;
}

TEST(callback_streams_everything) {
    char out[512] = "";
    int n = cb_format(out, "[%s] %d%%, %-4x|", "log", 99, 0xab);
    EXPECT_STREQ(out, "[log] 99%, ab  |");
    EXPECT_EQ(n, 16);
}
