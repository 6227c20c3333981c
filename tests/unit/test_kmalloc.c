// SPDX-License-Identifier: MIT
// Host tests of the kernel heap (kernel/core/kmalloc.c): size classes, large blocks, pages back.
// UNIT_SOURCES: kernel/core/kmalloc.c kernel/core/page.c
#include "harness.h"
#include <string.h>
#include "kmalloc.h"
#include "page.h"

#define RAM_PAGES 2048

static void setup(void) {
    static void *ram;
    if (ram == NULL)
        ram = aligned_alloc(PAGE_SIZE, RAM_PAGES * PAGE_SIZE);
    struct boot_info bi = {.num_mem = 1};
    bi.mem[0].base = (paddr_t)(uintptr_t)ram;
    bi.mem[0].size = RAM_PAGES * PAGE_SIZE;
    page_init(&bi);
}

static bool all_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0)
            return false;
    }
    return true;
}

TEST(every_size_class_zeroed_aligned) {
    setup();
    size_t pages = page_free_count();
    static const size_t sizes[] = {0,    1,    15,   16,   17,   31,        32,    33,
                                   64,   100,  128,  200,  256,  300,       512,   513,
                                   1000, 1024, 1025, 2048, 4096, 4096 + 64, 10000, 65536};
    void *ptrs[ARRAY_SIZE(sizes)];
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        ptrs[i] = kmalloc(sizes[i]);
        ASSERT_TRUE(ptrs[i] != NULL);
        EXPECT_EQ((uintptr_t)ptrs[i] % 16, 0);
        EXPECT_TRUE(all_zero(ptrs[i], sizes[i]));
        memset(ptrs[i], 0xff, sizes[i]); // ASan checks the block is really that big
    }
    EXPECT_GT(kmalloc_bytes_used(), 0);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        kfree(ptrs[i]);
    EXPECT_EQ(kmalloc_bytes_used(), 0);
    EXPECT_EQ(page_free_count(), pages);
}

TEST(reused_memory_is_zeroed) {
    setup();
    uint8_t *a = kmalloc(64);
    uint8_t *keep = kmalloc(64); // keeps the slab alive
    memset(a, 0x5a, 64);
    kfree(a);
    uint8_t *b = kmalloc(64);
    EXPECT_TRUE(all_zero(b, 64));
    kfree(b);
    kfree(keep);
}

TEST(bytes_used_tracks_classes) {
    setup();
    void *a = kmalloc(20);   // 32
    void *b = kmalloc(1000); // 1024
    void *c = kmalloc(5000); // 2 pages with its header
    EXPECT_EQ(kmalloc_bytes_used(), 32 + 1024 + 2 * PAGE_SIZE);
    kfree(b);
    EXPECT_EQ(kmalloc_bytes_used(), 32 + 2 * PAGE_SIZE);
    kfree(a);
    kfree(c);
    EXPECT_EQ(kmalloc_bytes_used(), 0);
}

TEST(message_sized_blocks) {
    setup();
    // A message: 4096 bytes of data plus a header.
    uint8_t *m = kmalloc(4096 + 48);
    ASSERT_TRUE(m != NULL);
    m[4096 + 47] = 1;
    kfree(m);
    EXPECT_EQ(page_free_count(), page_total_count());
}

TEST(many_cycles_return_pages) {
    setup();
    size_t start = page_free_count();
    static void *ptrs[3000];
    for (int cycle = 0; cycle < 20; cycle++) {
        for (int i = 0; i < 3000; i++) {
            ptrs[i] = kmalloc((size_t)(i * 37 + cycle) % 1500 + 1);
            ASSERT_TRUE(ptrs[i] != NULL);
        }
        // Free in a different order than allocated, so slabs empty in odd orders.
        for (int i = 0; i < 3000; i += 2)
            kfree(ptrs[i]);
        for (int i = 1; i < 3000; i += 2)
            kfree(ptrs[i]);
        if (page_free_count() != start) {
            EXPECT_EQ(page_free_count(), start);
            return;
        }
    }
    EXPECT_EQ(kmalloc_bytes_used(), 0);
}

TEST(out_of_memory_returns_null) {
    setup();
    EXPECT_TRUE(kmalloc(RAM_PAGES * PAGE_SIZE) == NULL);
    EXPECT_TRUE(kmalloc(SIZE_MAX) == NULL);
    EXPECT_TRUE(kmalloc(SIZE_MAX - 100) == NULL);
    EXPECT_EQ(page_free_count(), page_total_count());
    kfree(NULL); // allowed
}

TEST(bad_frees_panic) {
    setup();
    uint8_t *small = kmalloc(100);
    uint8_t *keep = kmalloc(100);
    uint8_t *large = kmalloc(8000);
    EXPECT_PANIC(kfree(small + 8));  // inside an object
    EXPECT_PANIC(kfree(large + 16)); // inside a large block
    kfree(small);
    EXPECT_PANIC(kfree(small)); // double free, slab still alive
    kfree(large);
    EXPECT_PANIC(kfree(large)); // double free of a large block
    static uint8_t not_heap[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    EXPECT_PANIC(kfree(not_heap + 64));
    kfree(keep);
    EXPECT_EQ(page_free_count(), page_total_count());
}
