// SPDX-License-Identifier: MIT
// Host tests of the physical page allocator (kernel/core/page.c) on fake RAM backed by host memory.
// UNIT_SOURCES: kernel/core/page.c
#include "harness.h"
#include <string.h>
#include "page.h"

#define RAM_PAGES 256

static uint8_t *ram;

// One region of RAM_PAGES pages; `kernel_pages` at its start play the kernel image.
static paddr_t setup(size_t kernel_pages) {
    if (ram == NULL)
        ram = aligned_alloc(PAGE_SIZE, RAM_PAGES * PAGE_SIZE);
    memset(ram, 0xa5, RAM_PAGES * PAGE_SIZE); // garbage, to check zeroing
    paddr_t base = (paddr_t)(uintptr_t)ram;
    struct boot_info bi = {.num_mem = 1};
    bi.mem[0].base = base;
    bi.mem[0].size = RAM_PAGES * PAGE_SIZE;
    bi.kernel_start = base;
    bi.kernel_end = base + kernel_pages * PAGE_SIZE;
    page_init(&bi);
    return base;
}

static bool in_ram(paddr_t pa, size_t npages) {
    paddr_t base = (paddr_t)(uintptr_t)ram;
    return pa >= base && pa + npages * PAGE_SIZE <= base + RAM_PAGES * PAGE_SIZE;
}

TEST(counts_exclude_kernel_and_bitmap) {
    setup(16);
    // 240 pages after the kernel, one of them holds the bitmap.
    EXPECT_EQ(page_total_count(), RAM_PAGES - 16 - 1);
    EXPECT_EQ(page_free_count(), page_total_count());
}

TEST(alloc_is_zeroed_aligned_and_outside_kernel) {
    paddr_t base = setup(16);
    paddr_t pa = page_alloc(3);
    ASSERT_TRUE(pa != 0);
    EXPECT_TRUE(in_ram(pa, 3));
    EXPECT_GE(pa, base + 17 * PAGE_SIZE); // after the kernel and the bitmap
    EXPECT_EQ(pa % PAGE_SIZE, 0);
    const uint8_t *p = (const uint8_t *)(uintptr_t)pa;
    size_t nonzero = 0;
    for (size_t i = 0; i < 3 * PAGE_SIZE; i++)
        nonzero += p[i] != 0;
    EXPECT_EQ(nonzero, 0);
    EXPECT_EQ(page_free_count(), page_total_count() - 3);
    page_free(pa, 3);
    EXPECT_EQ(page_free_count(), page_total_count());
}

TEST(runs_do_not_overlap_and_are_contiguous) {
    setup(0);
    paddr_t runs[10];
    for (int i = 0; i < 10; i++) {
        runs[i] = page_alloc((size_t)i + 1);
        ASSERT_TRUE(runs[i] != 0);
        memset((void *)(uintptr_t)runs[i], i + 1, (size_t)(i + 1) * PAGE_SIZE);
    }
    // Each run still holds its own fill: no two runs overlap.
    for (int i = 0; i < 10; i++) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)runs[i];
        EXPECT_EQ(p[0], i + 1);
        EXPECT_EQ(p[(size_t)(i + 1) * PAGE_SIZE - 1], i + 1);
    }
    for (int i = 0; i < 10; i++)
        page_free(runs[i], (size_t)i + 1);
    EXPECT_EQ(page_free_count(), page_total_count());
}

TEST(fragmentation_needs_a_real_run) {
    setup(0);
    size_t total = page_total_count();
    // Take every page, then free every other one: lots free, no run of 2.
    static paddr_t pages[RAM_PAGES];
    for (size_t i = 0; i < total; i++)
        pages[i] = page_alloc(1);
    EXPECT_EQ(page_alloc(1), 0);
    for (size_t i = 0; i < total; i += 2)
        page_free(pages[i], 1);
    EXPECT_EQ(page_free_count(), (total + 1) / 2);
    EXPECT_EQ(page_alloc(2), 0);
    // Freeing a neighbour makes a run of 3 (pages 0,1,2 once page 1 is back).
    page_free(pages[1], 1);
    paddr_t run = page_alloc(3);
    EXPECT_EQ(run, pages[0]);
    page_free(run, 3);
    for (size_t i = 3; i < total; i += 2)
        page_free(pages[i], 1);
    EXPECT_EQ(page_free_count(), total);
}

TEST(exhaustion_returns_zero) {
    setup(0);
    size_t total = page_total_count();
    EXPECT_EQ(page_alloc(total + 1), 0);
    EXPECT_EQ(page_alloc(0), 0);
    paddr_t all = page_alloc(total);
    EXPECT_TRUE(all != 0);
    EXPECT_EQ(page_free_count(), 0);
    EXPECT_EQ(page_alloc(1), 0);
    page_free(all, total);
    EXPECT_EQ(page_free_count(), total);
}

TEST(many_cycles_return_every_page) {
    setup(4);
    size_t start = page_free_count();
    for (int cycle = 0; cycle < 200; cycle++) {
        paddr_t a = page_alloc(1 + cycle % 7);
        paddr_t b = page_alloc(2);
        ASSERT_TRUE(a != 0 && b != 0);
        page_free(a, 1 + cycle % 7);
        page_free(b, 2);
    }
    EXPECT_EQ(page_free_count(), start);
}

TEST(double_free_panics) {
    setup(0);
    paddr_t pa = page_alloc(2);
    page_free(pa, 2);
    size_t free_before = page_free_count();
    EXPECT_PANIC(page_free(pa, 2));
    EXPECT_TRUE(strstr(host_panic_message, "double free") != NULL);
    EXPECT_EQ(page_free_count(), free_before); // nothing changed
    // Half of a run freed twice is caught too, and leaves the other half alone.
    paddr_t run = page_alloc(4);
    page_free(run, 2);
    EXPECT_PANIC(page_free(run, 4));
    page_free(run + 2 * PAGE_SIZE, 2);
    EXPECT_EQ(page_free_count(), page_total_count());
}

TEST(foreign_pages_panic) {
    paddr_t base = setup(8);
    EXPECT_PANIC(page_free(base, 1)); // the kernel image
    EXPECT_PANIC(page_free(0x1000, 1));
    EXPECT_PANIC(page_free(base + 100 * PAGE_SIZE + 8, 1));         // not page-aligned
    EXPECT_PANIC(page_free(base + (RAM_PAGES - 1) * PAGE_SIZE, 2)); // runs off the end
    EXPECT_EQ(page_free_count(), page_total_count());
}

TEST(regions_split_by_reserved_range) {
    if (ram == NULL)
        ram = aligned_alloc(PAGE_SIZE, RAM_PAGES * PAGE_SIZE);
    paddr_t base = (paddr_t)(uintptr_t)ram;
    struct boot_info bi = {.num_mem = 2};
    bi.mem[0].base = base;
    bi.mem[0].size = 100 * PAGE_SIZE;
    bi.mem[1].base = base + 128 * PAGE_SIZE;
    bi.mem[1].size = 128 * PAGE_SIZE;
    bi.kernel_start = base + 10 * PAGE_SIZE;
    bi.kernel_end = base + 20 * PAGE_SIZE - 5; // unaligned end still covers its page
    bi.reserved_start = base + 200 * PAGE_SIZE + 7;
    bi.reserved_end = base + 201 * PAGE_SIZE;
    page_init(&bi);
    // Zones: [0,10) [20,100) [128,200) [201,256), each losing one page to its bitmap.
    EXPECT_EQ(page_total_count(), (10 - 1) + (80 - 1) + (72 - 1) + (55 - 1));
    // Take everything; no page may be in the kernel, the gap or the reserved range.
    size_t bad = 0, n = 0;
    static paddr_t got[RAM_PAGES];
    for (paddr_t pa; (pa = page_alloc(1)) != 0;) {
        size_t idx = (pa - base) / PAGE_SIZE;
        bad += (idx >= 10 && idx < 20) || (idx >= 100 && idx < 128) || idx == 200 || idx >= 256;
        got[n++] = pa;
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(n, page_total_count());
    // A run never spans two zones: 79 pages (80 minus the bitmap) is the largest.
    while (n > 0)
        page_free(got[--n], 1);
    EXPECT_EQ(page_alloc(80), 0);
    EXPECT_NE(page_alloc(79), 0);
    EXPECT_EQ(page_alloc(79), 0);
}

TEST(pt_pages_are_zeroed_single_pages) {
    setup(0);
    paddr_t pa = arch_pt_alloc_page();
    ASSERT_TRUE(pa != 0);
    EXPECT_EQ(((const uint8_t *)(uintptr_t)pa)[PAGE_SIZE - 1], 0);
    EXPECT_EQ(page_free_count(), page_total_count() - 1);
    arch_pt_free_page(pa);
    EXPECT_EQ(page_free_count(), page_total_count());
}
