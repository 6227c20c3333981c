// SPDX-License-Identifier: MIT
// Host tests of lib/c's string, ctype and number-parsing functions.
// UNIT_LIBC_SOURCES: lib/c/string.c lib/c/stdlib.c
#include "harness.h"
#include "libc_rename.h"
#include "lib/c/include/ctype.h"
#include "lib/c/include/stdlib.h"
#include "lib/c/include/string.h"
#include <limits.h>

TEST(mem_functions) {
    uint8_t a[64], b[64];
    for (int i = 0; i < 64; i++)
        a[i] = (uint8_t)i;
    // Every alignment and length combination of a small window.
    for (size_t off = 0; off < 9; off++) {
        for (size_t len = 0; len < 40; len++) {
            memset(b, 0xee, sizeof(b));
            EXPECT_TRUE(memcpy(b + off, a + (8 - off % 8), len) == b + off);
            EXPECT_MEMEQ(b + off, a + (8 - off % 8), len);
            EXPECT_EQ(b[off + len], 0xee);
            if (off > 0)
                EXPECT_EQ(b[off - 1], 0xee);
        }
    }
    memset(b, 0, sizeof(b));
    EXPECT_TRUE(memset(b + 3, 0x7f, 21) == b + 3);
    EXPECT_EQ(b[2], 0);
    EXPECT_EQ(b[3], 0x7f);
    EXPECT_EQ(b[23], 0x7f);
    EXPECT_EQ(b[24], 0);
    EXPECT_EQ(memcmp("abc", "abd", 3), -1);
    EXPECT_EQ(memcmp("abd", "abc", 3), 1);
    EXPECT_EQ(memcmp("abc", "abd", 2), 0);
    EXPECT_EQ(memcmp("\x80", "\x01", 1), 1); // bytes compare unsigned
    EXPECT_EQ(memcmp("", "", 0), 0);
}

TEST(memmove_overlaps) {
    char buf[32];
    for (int shift = -9; shift <= 9; shift++) {
        char ref[32];
        for (int i = 0; i < 32; i++)
            buf[i] = ref[i] = (char)('a' + i % 26);
        char *src = buf + 10, *dst = buf + 10 + shift;
        // Reference result computed byte by byte through a temporary.
        char tmp[12];
        for (int i = 0; i < 12; i++)
            tmp[i] = ref[10 + i];
        for (int i = 0; i < 12; i++)
            ref[10 + shift + i] = tmp[i];
        memmove(dst, src, 12);
        EXPECT_MEMEQ(buf, ref, 32);
    }
}

TEST(str_functions) {
    EXPECT_EQ(strlen(""), 0);
    EXPECT_EQ(strlen("stellina"), 8);
    EXPECT_EQ(strnlen("stellina", 3), 3);
    EXPECT_EQ(strnlen("ab", 10), 2);
    EXPECT_EQ(strcmp("a", "a"), 0);
    EXPECT_LT(strcmp("a", "b"), 0);
    EXPECT_GT(strcmp("b", "a"), 0);
    EXPECT_LT(strcmp("ab", "abc"), 0);
    EXPECT_GT(strcmp("\xff", "a"), 0);
    EXPECT_EQ(strncmp("abcx", "abcy", 3), 0);
    EXPECT_LT(strncmp("abcx", "abcy", 4), 0);
    EXPECT_EQ(strncmp("a", "b", 0), 0);
    const char *s = "hello world";
    EXPECT_TRUE(strchr(s, 'o') == s + 4);
    EXPECT_TRUE(memchr(s, 'o', 11) == s + 4);
    EXPECT_TRUE(memchr(s, 'o', 4) == NULL); // not past n
    EXPECT_TRUE(memchr(s, 'd' + 256, 11) == s + 10); // c as unsigned char
    EXPECT_TRUE(memchr(s, 'h', 0) == NULL);
    EXPECT_TRUE(strrchr(s, 'o') == s + 7);
    EXPECT_TRUE(strchr(s, 'z') == NULL);
    EXPECT_TRUE(strrchr(s, 'z') == NULL);
    EXPECT_TRUE(strchr(s, '\0') == s + 11);
    EXPECT_TRUE(strrchr(s, '\0') == s + 11);
    EXPECT_TRUE(strstr(s, "world") == s + 6);
    EXPECT_TRUE(strstr(s, "") == s);
    EXPECT_TRUE(strstr(s, "worlds") == NULL);
    EXPECT_TRUE(strstr("aaab", "aab") != NULL);
    EXPECT_TRUE(strstr("", "a") == NULL);
}

TEST(strlcpy_truncates) {
    char buf[6];
    memset(buf, 'Q', sizeof(buf));
    EXPECT_EQ(strlcpy(buf, "hello world", sizeof(buf)), 11);
    EXPECT_STREQ(buf, "hello");
    EXPECT_EQ(strlcpy(buf, "hi", sizeof(buf)), 2);
    EXPECT_STREQ(buf, "hi");
    buf[0] = 'Q';
    EXPECT_EQ(strlcpy(buf, "abc", 0), 3);
    EXPECT_EQ(buf[0], 'Q');
}

TEST(ctype) {
    EXPECT_TRUE(isdigit('0') && isdigit('9') && !isdigit('a'));
    EXPECT_TRUE(isalpha('a') && isalpha('Z') && !isalpha('1'));
    EXPECT_TRUE(isalnum('q') && isalnum('5') && !isalnum('-'));
    EXPECT_TRUE(isxdigit('f') && isxdigit('F') && !isxdigit('g'));
    EXPECT_TRUE(isspace(' ') && isspace('\n') && isspace('\t') && !isspace('x'));
    EXPECT_TRUE(isprint(' ') && isprint('~') && !isprint('\n') && !isprint(0x7f));
    EXPECT_TRUE(iscntrl('\n') && !iscntrl('a'));
    EXPECT_TRUE(ispunct('!') && !ispunct('a') && !ispunct(' '));
    EXPECT_TRUE(isupper('Q') && !isupper('q') && islower('q') && !islower('Q'));
    EXPECT_EQ(tolower('A'), 'a');
    EXPECT_EQ(tolower('1'), '1');
    EXPECT_EQ(toupper('z'), 'Z');
    EXPECT_EQ(toupper('@'), '@');
}

TEST(strtol_family) {
    char *end;
    EXPECT_EQ(strtol("  -123xyz", &end, 10), -123);
    EXPECT_EQ(*end, 'x');
    EXPECT_EQ(strtol("0x1F", &end, 0), 31);
    EXPECT_EQ(*end, '\0');
    EXPECT_EQ(strtol("0x1F", NULL, 16), 31);
    EXPECT_EQ(strtol("017", NULL, 0), 15);
    EXPECT_EQ(strtol("0", &end, 0), 0);
    EXPECT_EQ(*end, '\0');
    EXPECT_EQ(strtol("0x", &end, 0), 0); // "0" parsed, "x" left over
    EXPECT_EQ(*end, 'x');
    EXPECT_EQ(strtol("z", NULL, 36), 35);
    EXPECT_EQ(strtol("+7", NULL, 10), 7);
    const char *junk = "  junk";
    EXPECT_EQ(strtol(junk, &end, 10), 0);
    EXPECT_TRUE(end == junk); // no digits: end is the start
    EXPECT_EQ(strtol("99999999999999999999", NULL, 10), LONG_MAX);
    EXPECT_EQ(strtol("-99999999999999999999", NULL, 10), LONG_MIN);
    EXPECT_EQ(strtol("-9223372036854775808", NULL, 10), LONG_MIN);
    EXPECT_EQ(strtol("9223372036854775807", NULL, 10), LONG_MAX);
    EXPECT_EQ(strtol("10", NULL, 1), 0); // bad base
    EXPECT_EQ(strtoul("18446744073709551615", NULL, 10), ULONG_MAX);
    EXPECT_EQ(strtoul("18446744073709551616", NULL, 10), ULONG_MAX);
    EXPECT_EQ(strtoul("-1", NULL, 10), ULONG_MAX);
    EXPECT_EQ(strtoul("ff", NULL, 16), 255);
    EXPECT_EQ(atoi("  42 "), 42);
    EXPECT_EQ(atoi("-8"), -8);
    EXPECT_EQ(abs(-5), 5);
    EXPECT_EQ(abs(5), 5);
    EXPECT_EQ(labs(-5L), 5);
}
