// SPDX-License-Identifier: MIT
// Host tests of lib/c's app heap (malloc, free, calloc, realloc) over a counting page hook.
// UNIT_LIBC_SOURCES: lib/c/malloc.c lib/c/string.c
#include "harness.h"
#include "libc_rename.h"
#include "lib/c/include/stdlib.h"
#include "lib/c/include/string.h"

// The runtime hook, here backed by host memory that is never freed (the heap owns it).
static size_t hook_bytes;
static size_t hook_limit = 64 * 1024 * 1024;
static void *hook_blocks[4096];
static size_t hook_count;

void *__libc_alloc_pages(size_t bytes) {
    if (bytes % 4096 != 0 || hook_bytes + bytes > hook_limit || hook_count == 4096)
        return NULL;
    void *p = aligned_alloc(4096, bytes);
    __builtin_memset(p, 0, bytes);
    hook_bytes += bytes;
    hook_blocks[hook_count++] = p; // keeps LeakSanitizer satisfied
    return p;
}

TEST(small_allocations_are_aligned_and_distinct) {
    static uint8_t *ptrs[2000];
    for (int i = 0; i < 2000; i++) {
        size_t size = (size_t)(i % 300) + 1;
        ptrs[i] = malloc(size);
        ASSERT_TRUE(ptrs[i] != NULL);
        EXPECT_EQ((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xff, size);
    }
    size_t corrupt = 0;
    for (int i = 0; i < 2000; i++) {
        size_t size = (size_t)(i % 300) + 1;
        for (size_t j = 0; j < size; j++)
            corrupt += ptrs[i][j] != (uint8_t)(i & 0xff);
    }
    EXPECT_EQ(corrupt, 0);
    for (int i = 0; i < 2000; i++)
        free(ptrs[i]);
}

TEST(freed_memory_is_reused) {
    void *a = malloc(40);
    free(a);
    void *b = malloc(40);
    EXPECT_TRUE(a == b);
    free(b);
    size_t before = hook_bytes;
    for (int i = 0; i < 100000; i++) {
        void *p = malloc((size_t)(i % 5000) + 1);
        ASSERT_TRUE(p != NULL);
        free(p);
    }
    // A steady malloc/free pattern must not keep taking pages.
    EXPECT_LE(hook_bytes - before, 64 * 1024);
}

TEST(large_allocations) {
    uint8_t *p = malloc(100000);
    ASSERT_TRUE(p != NULL);
    p[0] = 1;
    p[99999] = 2;
    free(p);
    uint8_t *q = malloc(90000);
    EXPECT_TRUE(q == p); // first fit reuses the freed block
    free(q);
}

TEST(calloc_zeroes_and_checks_overflow) {
    uint8_t *p = malloc(64);
    memset(p, 0xff, 64);
    free(p);
    uint8_t *z = calloc(8, 8); // likely the same block: must come back zeroed
    ASSERT_TRUE(z != NULL);
    size_t nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += z[i] != 0;
    EXPECT_EQ(nonzero, 0);
    free(z);
    EXPECT_TRUE(calloc(SIZE_MAX / 2, 4) == NULL);
}

TEST(realloc_keeps_contents) {
    char *p = realloc(NULL, 10);
    ASSERT_TRUE(p != NULL);
    memcpy(p, "123456789", 10);
    char *q = realloc(p, 12); // still fits in its 16-byte class
    EXPECT_TRUE(q == p);
    char *r = realloc(q, 5000);
    ASSERT_TRUE(r != NULL);
    EXPECT_STREQ(r, "123456789");
    free(r);
}

TEST(exhaustion_returns_null) {
    size_t saved = hook_limit;
    hook_limit = hook_bytes; // no more pages
    EXPECT_TRUE(malloc(1 << 20) == NULL);
    EXPECT_TRUE(malloc(SIZE_MAX) == NULL);
    hook_limit = saved;
    free(NULL); // allowed
}
