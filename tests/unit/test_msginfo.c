// SPDX-License-Identifier: MIT
// Host tests of the msginfo packing macros of abi/message.h.
// UNIT_SOURCES:
#include "harness.h"
#include "abi/message.h"

TEST(pack_and_unpack) {
    msginfo_t mi = MSGINFO(MSG_DATA, 123, 2);
    EXPECT_GT(mi, 0);
    EXPECT_EQ(MSGINFO_KIND(mi), MSG_DATA);
    EXPECT_EQ(MSGINFO_LEN(mi), 123);
    EXPECT_EQ(MSGINFO_HANDLES(mi), 2);
    EXPECT_EQ((uint64_t)mi & MSGINFO_RESERVED, 0);
}

TEST(limits_fit) {
    msginfo_t mi = MSGINFO(0x7fffffff, MSG_MAX_DATA, MSG_MAX_HANDLES);
    EXPECT_GT(mi, 0); // still positive: never confused with an error
    EXPECT_EQ(MSGINFO_KIND(mi), 0x7fffffff);
    EXPECT_EQ(MSGINFO_LEN(mi), MSG_MAX_DATA);
    EXPECT_EQ(MSGINFO_HANDLES(mi), MSG_MAX_HANDLES);
    EXPECT_EQ((uint64_t)mi & MSGINFO_RESERVED, 0);
}

TEST(zero_message) {
    msginfo_t mi = MSGINFO(MSG_CLOSE, 0, 0);
    EXPECT_EQ(MSGINFO_KIND(mi), MSG_CLOSE);
    EXPECT_EQ(MSGINFO_LEN(mi), 0);
    EXPECT_EQ(MSGINFO_HANDLES(mi), 0);
}

TEST(reserved_bits_detect_bad_headers) {
    // Every field one past its limit lands in reserved bits (or the sign bit).
    EXPECT_NE((uint64_t)MSGINFO(1, 8192, 0) & MSGINFO_RESERVED, 0);
    EXPECT_NE((uint64_t)MSGINFO(1, 0, 8) & MSGINFO_RESERVED, 0);
    EXPECT_NE((uint64_t)MSGINFO(0x80000000u, 0, 0) & MSGINFO_RESERVED, 0);
    EXPECT_LT(MSGINFO(0x80000000u, 0, 0), 0);
    // The length field holds 8191 at most, enough for MSG_MAX_DATA.
    EXPECT_GE(0x1fff, MSG_MAX_DATA);
    EXPECT_GE(7, MSG_MAX_HANDLES);
    // Fields do not bleed into each other.
    msginfo_t mi = MSGINFO(0x155, 0x1fff, 7);
    EXPECT_EQ(MSGINFO_KIND(mi), 0x155);
    EXPECT_EQ(MSGINFO_LEN(mi), 0x1fff);
    EXPECT_EQ(MSGINFO_HANDLES(mi), 7);
}
