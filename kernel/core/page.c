// SPDX-License-Identifier: MIT
// The physical page allocator: one bitmap per usable RAM zone, next-fit search for contiguous runs.
//
// The kernel is uniprocessor and runs with interrupts disabled, so nothing
// here needs a lock. Each zone's bitmap (bit set = page handed out) lives in
// the first pages of that zone; those pages are never counted or handed out.
#include "page.h"
#include <string.h>

// Each RAM region can be cut in three by the kernel image and the reserved range.
#define ZONES_MAX (BOOT_MEM_REGIONS_MAX * 3)
#define BITS_PER_WORD 64

struct zone {
    paddr_t base;     // first allocatable page
    size_t npages;    // allocatable pages
    uint64_t *bitmap; // npages bits, through the direct map
    size_t hint;      // where the next search starts (next fit)
};

static struct zone zones[ZONES_MAX];
static int num_zones;
static size_t free_pages, total_pages;

static bool bit_test(const struct zone *z, size_t i) {
    return (z->bitmap[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1;
}
static void bit_set(struct zone *z, size_t i) {
    z->bitmap[i / BITS_PER_WORD] |= 1ull << (i % BITS_PER_WORD);
}
static void bit_clear(struct zone *z, size_t i) {
    z->bitmap[i / BITS_PER_WORD] &= ~(1ull << (i % BITS_PER_WORD));
}

// Makes [base, end) a zone (page-aligned inward), its bitmap carved from its start.
static void zone_add(paddr_t base, paddr_t end) {
    base = ALIGN_UP(base, PAGE_SIZE);
    end = ALIGN_DOWN(end, PAGE_SIZE);
    if (end <= base || num_zones == ZONES_MAX)
        return;
    size_t pages = (end - base) / PAGE_SIZE;
    size_t bitmap_bytes = ALIGN_UP(pages, BITS_PER_WORD) / 8;
    size_t bitmap_pages = ALIGN_UP(bitmap_bytes, PAGE_SIZE) / PAGE_SIZE;
    if (pages <= bitmap_pages)
        return;
    struct zone *z = &zones[num_zones++];
    z->bitmap = arch_paddr_to_ptr(base);
    z->base = base + bitmap_pages * PAGE_SIZE;
    // The bitmap was sized for all pages; the zone now has bitmap_pages
    // fewer, and their bits stay zero (never searched past npages).
    z->npages = pages - bitmap_pages;
    z->hint = 0;
    memset(z->bitmap, 0, bitmap_bytes);
    free_pages += z->npages;
    total_pages += z->npages;
}

// Adds [base, end) minus the excluded range [ex_start, ex_end), passing what
// is left on to `next` (so several exclusions chain).
static void add_excluding(paddr_t base, paddr_t end, paddr_t ex_start, paddr_t ex_end,
                          void (*next)(paddr_t, paddr_t)) {
    if (ex_end <= ex_start || ex_end <= base || ex_start >= end) {
        next(base, end);
        return;
    }
    if (ex_start > base)
        next(base, ex_start);
    if (ex_end < end)
        next(ex_end, end);
}

static paddr_t reserved_start, reserved_end;

static void add_minus_reserved(paddr_t base, paddr_t end) {
    add_excluding(base, end, ALIGN_DOWN(reserved_start, PAGE_SIZE),
                  ALIGN_UP(reserved_end, PAGE_SIZE), zone_add);
}

void page_init(const struct boot_info *bi) {
    // Starting from scratch keeps page_init repeatable (the host tests call it per test).
    memset(zones, 0, sizeof(zones));
    num_zones = 0;
    free_pages = total_pages = 0;
    reserved_start = bi->reserved_start;
    reserved_end = bi->reserved_end;
    for (int i = 0; i < bi->num_mem && i < BOOT_MEM_REGIONS_MAX; i++) {
        paddr_t base = bi->mem[i].base;
        add_excluding(base, base + bi->mem[i].size, ALIGN_DOWN(bi->kernel_start, PAGE_SIZE),
                      ALIGN_UP(bi->kernel_end, PAGE_SIZE), add_minus_reserved);
    }
}

// Finds the first index >= from where npages free pages in a row end at or
// before `limit`; stores it in *out. Returns false if there is none.
static bool zone_find(struct zone *z, size_t from, size_t limit, size_t npages, size_t *out) {
    size_t i = from;
    while (i + npages <= limit) {
        // Skip whole words of used pages quickly.
        if (i % BITS_PER_WORD == 0 && z->bitmap[i / BITS_PER_WORD] == ~0ull) {
            i += BITS_PER_WORD;
            continue;
        }
        size_t run = 0;
        while (run < npages && !bit_test(z, i + run))
            run++;
        if (run == npages) {
            *out = i;
            return true;
        }
        i += run + 1; // the page at i + run is used: no run can start before it
    }
    return false;
}

paddr_t page_alloc(size_t npages) {
    if (npages == 0 || npages > free_pages)
        return 0;
    for (int zi = 0; zi < num_zones; zi++) {
        struct zone *z = &zones[zi];
        if (npages > z->npages)
            continue;
        size_t start;
        // Next fit: search from the hint to the end, then from the start
        // (that second pass may end inside a run the first pass skipped, so
        // it goes up to hint + npages - 1).
        size_t wrap_limit = MIN(z->npages, z->hint + npages - 1);
        if (!zone_find(z, z->hint, z->npages, npages, &start) &&
            !zone_find(z, 0, wrap_limit, npages, &start))
            continue;
        for (size_t i = 0; i < npages; i++)
            bit_set(z, start + i);
        z->hint = start + npages == z->npages ? 0 : start + npages;
        free_pages -= npages;
        paddr_t pa = z->base + start * PAGE_SIZE;
        memset(arch_paddr_to_ptr(pa), 0, npages * PAGE_SIZE);
        return pa;
    }
    return 0;
}

void page_free(paddr_t pa, size_t npages) {
    if (!IS_ALIGNED(pa, PAGE_SIZE) || npages == 0)
        panic("page_free: bad run %#lx + %zu pages", (unsigned long)pa, npages);
    for (int zi = 0; zi < num_zones; zi++) {
        struct zone *z = &zones[zi];
        if (pa < z->base || pa >= z->base + z->npages * PAGE_SIZE)
            continue;
        size_t first = (pa - z->base) / PAGE_SIZE;
        if (npages > z->npages - first)
            panic("page_free: run %#lx + %zu pages leaves its zone", (unsigned long)pa, npages);
        // Check the whole run before changing anything, so the panic message
        // describes an untouched bitmap.
        for (size_t i = 0; i < npages; i++) {
            if (!bit_test(z, first + i))
                panic("page_free: page %#lx is not allocated (double free?)",
                      (unsigned long)(pa + i * PAGE_SIZE));
        }
        for (size_t i = 0; i < npages; i++)
            bit_clear(z, first + i);
        free_pages += npages;
        return;
    }
    panic("page_free: %#lx was never handed out (not in any zone)", (unsigned long)pa);
}

size_t page_free_count(void) {
    return free_pages;
}

size_t page_total_count(void) {
    return total_pages;
}

// Where boot page-table pages come from (arch_pt_boot_pages), or NULL.
static paddr_t *boot_tables_next;

void arch_pt_boot_pages(paddr_t *next_free) {
    boot_tables_next = next_free;
}

paddr_t arch_pt_alloc_page(void) {
    if (!boot_tables_next)
        return page_alloc(1);
    paddr_t pa = *boot_tables_next;
    *boot_tables_next += PAGE_SIZE;
    memset(arch_paddr_to_ptr(pa), 0, PAGE_SIZE);
    return pa;
}

void arch_pt_free_page(paddr_t pa) {
    page_free(pa, 1);
}
