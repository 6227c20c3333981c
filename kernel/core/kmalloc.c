// SPDX-License-Identifier: MIT
// The kernel heap: one-page slabs for sizes 16..1024, page runs for anything larger.
//
// Every page the heap owns starts with a header whose magic says what it is,
// so kfree finds the size of any pointer by rounding it down to its page.
// A slab goes back to the page allocator as soon as its last object is freed
// (no empty slab is cached), so "free pages back to the start" holds after any
// balanced sequence of kmalloc/kfree. The kernel is uniprocessor and runs
// with interrupts disabled, so nothing here needs a lock.
#include "kmalloc.h"
#include "list.h"
#include "page.h"
#include <string.h>

#define SLAB_MAGIC 0x534c4142u  // "SLAB"
#define LARGE_MAGIC 0x4c415247u // "LARG"
#define MIN_SHIFT 4             // 16 bytes
#define MAX_SHIFT 10            // 1024 bytes
#define NUM_CLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define HEADER_SIZE 64 // keeps objects 16-byte aligned (and 64 for most classes)
#define MAX_OBJECTS ((PAGE_SIZE - HEADER_SIZE) >> MIN_SHIFT)

struct slab {
    uint32_t magic;                         // SLAB_MAGIC
    uint16_t shift;                         // objects are 1 << shift bytes
    uint16_t nfree;                         // free objects in this slab
    struct list_node node;                  // in its class's partial list while nfree > 0
    uint64_t used[(MAX_OBJECTS + 63) / 64]; // bit set = object handed out
};
_Static_assert(sizeof(struct slab) <= HEADER_SIZE, "slab header too big");

struct large {
    uint32_t magic; // LARGE_MAGIC
    uint32_t pad;
    size_t npages; // the run's length, header page included
};
_Static_assert(sizeof(struct large) <= HEADER_SIZE, "large header too big");

// Slabs of each class with at least one free object. Full slabs are on no
// list; kfree finds them through the page header.
static struct list partial[NUM_CLASSES];
static bool initialized;
static size_t bytes_used;

static size_t slab_capacity(unsigned shift) {
    return (PAGE_SIZE - HEADER_SIZE) >> shift;
}

static void init_once(void) {
    if (initialized)
        return;
    for (int i = 0; i < NUM_CLASSES; i++)
        list_init(&partial[i]);
    initialized = true;
}

static struct slab *slab_create(unsigned shift) {
    paddr_t pa = page_alloc(1);
    if (pa == 0)
        return NULL;
    struct slab *s = arch_paddr_to_ptr(pa); // zeroed: no object used yet
    s->magic = SLAB_MAGIC;
    s->shift = (uint16_t)shift;
    s->nfree = (uint16_t)slab_capacity(shift);
    list_push_back(&partial[shift - MIN_SHIFT], &s->node);
    return s;
}

static void *slab_alloc(unsigned shift) {
    struct list_node *n = list_front(&partial[shift - MIN_SHIFT]);
    struct slab *s = n != NULL ? LIST_CONTAINER(n, struct slab, node) : slab_create(shift);
    if (s == NULL)
        return NULL;
    size_t cap = slab_capacity(shift);
    // The first word with a clear bit, then that bit: a word at a time.
    // Bits past the capacity stay clear, so check i against it.
    for (size_t w = 0; w < ARRAY_SIZE(s->used); w++) {
        if (s->used[w] == ~0ull)
            continue;
        size_t i = w * 64 + (size_t)__builtin_ctzll(~s->used[w]);
        if (i >= cap)
            break;
        s->used[w] |= 1ull << (i % 64);
        if (--s->nfree == 0)
            list_remove(&s->node);
        void *p = (uint8_t *)s + HEADER_SIZE + (i << shift);
        memset(p, 0, (size_t)1 << shift);
        bytes_used += (size_t)1 << shift;
        return p;
    }
    panic("kmalloc: slab %p on the partial list has no free object", (void *)s);
}

static void slab_free(struct slab *s, void *p) {
    size_t offset = (size_t)((uint8_t *)p - (uint8_t *)s);
    size_t i = (offset - HEADER_SIZE) >> s->shift;
    if (offset < HEADER_SIZE || (offset - HEADER_SIZE) % ((size_t)1 << s->shift) != 0 ||
        i >= slab_capacity(s->shift))
        panic("kfree: %p is not an object of its slab", p);
    if (!(s->used[i / 64] & (1ull << (i % 64))))
        panic("kfree: double free of %p", p);
    s->used[i / 64] &= ~(1ull << (i % 64));
    bytes_used -= (size_t)1 << s->shift;
    if (s->nfree++ == 0)
        list_push_back(&partial[s->shift - MIN_SHIFT], &s->node);
    if (s->nfree == slab_capacity(s->shift)) {
        list_remove(&s->node);
        s->magic = 0; // a stale pointer into this page must not pass as a slab
        page_free(arch_ptr_to_paddr(s), 1);
    }
}

void *kmalloc(size_t size) {
    init_once();
    for (unsigned shift = MIN_SHIFT; shift <= MAX_SHIFT; shift++) {
        if (size <= ((size_t)1 << shift))
            return slab_alloc(shift);
    }
    if (size > SIZE_MAX - HEADER_SIZE - PAGE_SIZE)
        return NULL;
    size_t npages = (size + HEADER_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
    paddr_t pa = page_alloc(npages);
    if (pa == 0)
        return NULL;
    struct large *l = arch_paddr_to_ptr(pa); // the pages come zeroed
    l->magic = LARGE_MAGIC;
    l->npages = npages;
    bytes_used += npages * PAGE_SIZE;
    return (uint8_t *)l + HEADER_SIZE;
}

void kfree(void *p) {
    if (p == NULL)
        return;
    void *page = (void *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
    uint32_t magic = *(uint32_t *)page;
    if (magic == SLAB_MAGIC) {
        slab_free(page, p);
    } else if (magic == LARGE_MAGIC && p == (uint8_t *)page + HEADER_SIZE) {
        struct large *l = page;
        size_t npages = l->npages;
        l->magic = 0; // catches a second kfree of the same pointer
        bytes_used -= npages * PAGE_SIZE;
        page_free(arch_ptr_to_paddr(l), npages);
    } else {
        panic("kfree: %p was not returned by kmalloc", p);
    }
}

size_t kmalloc_bytes_used(void) {
    return bytes_used;
}
