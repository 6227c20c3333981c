// SPDX-License-Identifier: MIT
// A tiny host unit-test harness: TEST(name) registers a test, EXPECT_* record failures.
//
// Each test binary prints "PASS <name>" or "FAIL <name>: <file:line: what>"
// per test, then "N passed, N failed", and exits 1 if anything failed.
// Include this first: it pulls in the host C library headers it needs.
#pragma once
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../kernel/arch/host/host.h"

struct unit_test {
    const char *name;
    void (*fn)(void);
    struct unit_test *next;
};

void harness_register(struct unit_test *t);
// Marks the running test failed; the first message is the one printed.
void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
// String and memory comparisons done with the host's C library, so that
// tests of lib/c never judge lib/c with itself.
bool harness_streq(const char *a, const char *b);
bool harness_memeq(const void *a, const void *b, size_t n);

#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void register_##name(void) {                               \
        static struct unit_test t = {#name, test_##name, NULL};                                    \
        harness_register(&t);                                                                      \
    }                                                                                              \
    static void test_##name(void)

#define EXPECT_TRUE(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            harness_fail(__FILE__, __LINE__, "expected %s", #cond);                                \
    } while (0)
#define EXPECT_FALSE(cond) EXPECT_TRUE(!(cond))

#define EXPECT_CMP(a, op, b)                                                                       \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (!(a_ op b_))                                                                           \
            harness_fail(__FILE__, __LINE__, "expected %s %s %s (%lld vs %lld)", #a, #op, #b, a_,  \
                         b_);                                                                      \
    } while (0)
#define EXPECT_EQ(a, b) EXPECT_CMP(a, ==, b)
#define EXPECT_NE(a, b) EXPECT_CMP(a, !=, b)
#define EXPECT_LT(a, b) EXPECT_CMP(a, <, b)
#define EXPECT_LE(a, b) EXPECT_CMP(a, <=, b)
#define EXPECT_GT(a, b) EXPECT_CMP(a, >, b)
#define EXPECT_GE(a, b) EXPECT_CMP(a, >=, b)

#define EXPECT_STREQ(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!harness_streq(a_, b_))                                                                \
            harness_fail(__FILE__, __LINE__, "expected %s == %s (\"%s\" vs \"%s\")", #a, #b,       \
                         a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                  \
    } while (0)
#define EXPECT_MEMEQ(a, b, n)                                                                      \
    do {                                                                                           \
        if (!harness_memeq((a), (b), (n)))                                                         \
            harness_fail(__FILE__, __LINE__, "expected the %zu bytes of %s and %s to match",       \
                         (size_t)(n), #a, #b);                                                     \
    } while (0)

// Runs stmt and expects it to panic (the host panic() longjmps back here).
#define EXPECT_PANIC(stmt)                                                                         \
    do {                                                                                           \
        if (setjmp(host_panic_jmp) == 0) {                                                         \
            host_panic_armed = true;                                                               \
            stmt;                                                                                  \
            host_panic_armed = false;                                                              \
            harness_fail(__FILE__, __LINE__, "expected a panic from %s", #stmt);                   \
        }                                                                                          \
    } while (0)

// Stops the current test (after an EXPECT that makes going on pointless).
#define ASSERT_TRUE(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            harness_fail(__FILE__, __LINE__, "expected %s", #cond);                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)
