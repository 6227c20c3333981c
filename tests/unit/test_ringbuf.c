// SPDX-License-Identifier: MIT
// Host tests of the byte ring buffer (kernel/core/ringbuf.c): log, queue, reads at offsets.
// UNIT_SOURCES: kernel/core/ringbuf.c
#include "harness.h"
#include <string.h>
#include "ringbuf.h"

TEST(queue_refuses_when_full) {
    uint8_t storage[8];
    struct ringbuf rb;
    ringbuf_init(&rb, storage, sizeof(storage));
    EXPECT_EQ(ringbuf_write(&rb, "abcde", 5), 5);
    EXPECT_EQ(ringbuf_write(&rb, "fghij", 5), 3); // only 3 fit
    EXPECT_EQ(ringbuf_write(&rb, "x", 1), 0);
    EXPECT_EQ(ringbuf_used(&rb), 8);
    EXPECT_EQ(ringbuf_space(&rb), 0);
    char out[16] = {0};
    EXPECT_EQ(ringbuf_read(&rb, out, 3), 3);
    EXPECT_MEMEQ(out, "abc", 3);
    // Wraps around the end of the storage.
    EXPECT_EQ(ringbuf_write(&rb, "klm", 3), 3);
    memset(out, 0, sizeof(out));
    EXPECT_EQ(ringbuf_read(&rb, out, sizeof(out)), 8);
    EXPECT_MEMEQ(out, "defghklm", 8);
    EXPECT_EQ(ringbuf_read(&rb, out, 1), 0);
}

TEST(log_overwrites_oldest) {
    uint8_t storage[10];
    struct ringbuf rb;
    ringbuf_init(&rb, storage, sizeof(storage));
    ringbuf_write_overwrite(&rb, "0123456789", 10);
    ringbuf_write_overwrite(&rb, "abcd", 4);
    EXPECT_EQ(rb.start, 4);
    EXPECT_EQ(rb.end, 14);
    char out[16] = {0};
    uint64_t from = 99;
    EXPECT_EQ(ringbuf_read_at(&rb, 0, out, sizeof(out), &from), 10);
    EXPECT_EQ(from, 4); // clamped to what is still held
    EXPECT_MEMEQ(out, "456789abcd", 10);
    EXPECT_EQ(ringbuf_read_at(&rb, 12, out, sizeof(out), &from), 2);
    EXPECT_EQ(from, 12);
    EXPECT_MEMEQ(out, "cd", 2);
    EXPECT_EQ(ringbuf_read_at(&rb, 6, out, 3, NULL), 3);
    EXPECT_MEMEQ(out, "678", 3);
    EXPECT_EQ(ringbuf_read_at(&rb, 14, out, sizeof(out), NULL), 0);
    EXPECT_EQ(ringbuf_read_at(&rb, 1000, out, sizeof(out), NULL), 0);
    EXPECT_EQ(ringbuf_used(&rb), 10); // read_at consumes nothing
}

TEST(log_write_larger_than_capacity) {
    uint8_t storage[4];
    struct ringbuf rb;
    ringbuf_init(&rb, storage, sizeof(storage));
    ringbuf_write_overwrite(&rb, "xy", 2);
    ringbuf_write_overwrite(&rb, "abcdefghij", 10);
    EXPECT_EQ(rb.end, 12);
    EXPECT_EQ(rb.start, 8);
    char out[8] = {0};
    EXPECT_EQ(ringbuf_read_at(&rb, 0, out, sizeof(out), NULL), 4);
    EXPECT_MEMEQ(out, "ghij", 4);
}

TEST(log_many_small_writes_match_a_reference) {
    static uint8_t storage[64 * 1024];
    static char all[300000];
    struct ringbuf rb;
    ringbuf_init(&rb, storage, sizeof(storage));
    size_t total = 0;
    for (int i = 0; total < sizeof(all) - 100; i++) {
        char line[64];
        int n = snprintf(line, sizeof(line), "line %d of the log\n", i);
        ringbuf_write_overwrite(&rb, line, (size_t)n);
        memcpy(all + total, line, (size_t)n);
        total += (size_t)n;
    }
    EXPECT_EQ(rb.end, total);
    EXPECT_EQ(ringbuf_used(&rb), sizeof(storage));
    static char out[64 * 1024];
    // Read the retained tail in odd-sized chunks from absolute offsets.
    uint64_t off = rb.start;
    size_t mismatches = 0;
    while (off < rb.end) {
        size_t n = ringbuf_read_at(&rb, off, out, 777, NULL);
        if (n == 0 || memcmp(out, all + off, n) != 0)
            mismatches++;
        if (n == 0)
            break;
        off += n;
    }
    EXPECT_EQ(mismatches, 0);
    EXPECT_EQ(off, rb.end);
}

TEST(zero_capacity_is_harmless) {
    struct ringbuf rb;
    ringbuf_init(&rb, NULL, 0);
    ringbuf_write_overwrite(&rb, "abc", 3);
    EXPECT_EQ(ringbuf_write(&rb, "abc", 3), 0);
    char c;
    EXPECT_EQ(ringbuf_read(&rb, &c, 1), 0);
}
