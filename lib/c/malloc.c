// SPDX-License-Identifier: MIT
// The app heap: power-of-two size classes on free lists, larger blocks reused first-fit.
//
// Memory comes from __libc_alloc_pages() in arenas and is never given back:
// apps are long-running event loops whose heap settles at a working size.
// Every block starts with a 16-byte header holding its usable size and a
// magic word that tells used from free, so free() catches double frees and
// foreign pointers. Apps are single-threaded (one event loop), so no locks.
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_USED 0x4d414c4cu // "MALL"
#define MAGIC_FREE 0x46524545u // "FREE"
#define ALIGN 16
#define MIN_CLASS_SHIFT 4  // 16 bytes
#define MAX_CLASS_SHIFT 11 // 2048 bytes
#define NUM_CLASSES (MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1)
#define ARENA_BYTES (64 * 1024)
#define PAGE_BYTES 4096

struct block {
    size_t size;    // usable bytes after the header
    uint32_t magic; // MAGIC_USED or MAGIC_FREE
    uint32_t reserved;
    struct block *next; // free-list link; overlaps the data while in use
};
#define HEADER_SIZE 16
_Static_assert(offsetof(struct block, next) == HEADER_SIZE, "header must be 16 bytes");

static struct block *class_free[NUM_CLASSES];
static struct block *large_free; // blocks above the largest class, unsorted
static uint8_t *arena_next, *arena_end;

static void *block_data(struct block *b) {
    return (uint8_t *)b + HEADER_SIZE;
}

// The class index for `size`, or -1 if it is a large block.
static int size_class(size_t size) {
    for (int i = 0; i < NUM_CLASSES; i++) {
        if (size <= ((size_t)1 << (MIN_CLASS_SHIFT + i)))
            return i;
    }
    return -1;
}

// Carves a fresh block of `size` usable bytes from the current arena, starting
// a new arena when it is too small (the old remainder is left unused).
static struct block *arena_carve(size_t size) {
    size_t need = HEADER_SIZE + size;
    if (arena_next == NULL || (size_t)(arena_end - arena_next) < need) {
        uint8_t *a = __libc_alloc_pages(ARENA_BYTES);
        if (a == NULL)
            return NULL;
        arena_next = a;
        arena_end = a + ARENA_BYTES;
    }
    struct block *b = (struct block *)arena_next;
    arena_next += need;
    b->size = size;
    return b;
}

static struct block *alloc_large(size_t size) {
    // First fit, but not in a block more than twice too big: that would waste it.
    for (struct block **pp = &large_free; *pp != NULL; pp = &(*pp)->next) {
        struct block *b = *pp;
        if (b->size >= size && b->size / 2 <= size) {
            *pp = b->next;
            return b;
        }
    }
    size_t bytes = (HEADER_SIZE + size + PAGE_BYTES - 1) & ~(size_t)(PAGE_BYTES - 1);
    struct block *b = __libc_alloc_pages(bytes);
    if (b == NULL)
        return NULL;
    b->size = bytes - HEADER_SIZE;
    return b;
}

void *malloc(size_t size) {
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        return NULL; // would overflow the rounding below
    struct block *b;
    int c = size_class(size);
    if (c >= 0) {
        b = class_free[c];
        if (b != NULL)
            class_free[c] = b->next;
        else
            b = arena_carve((size_t)1 << (MIN_CLASS_SHIFT + c));
    } else {
        b = alloc_large((size + ALIGN - 1) & ~(size_t)(ALIGN - 1));
    }
    if (b == NULL)
        return NULL;
    b->magic = MAGIC_USED;
    return block_data(b);
}

// The header of a pointer malloc handed out; traps on anything else.
static struct block *block_of(void *p) {
    if (((uintptr_t)p & (ALIGN - 1)) != 0)
        __builtin_trap();
    struct block *b = (struct block *)((uint8_t *)p - HEADER_SIZE);
    if (b->magic != MAGIC_USED)
        __builtin_trap(); // a double free or a pointer malloc never returned
    return b;
}

void free(void *p) {
    if (p == NULL)
        return;
    struct block *b = block_of(p);
    b->magic = MAGIC_FREE;
    int c = size_class(b->size);
    if (c >= 0 && b->size == ((size_t)1 << (MIN_CLASS_SHIFT + c))) {
        b->next = class_free[c];
        class_free[c] = b;
    } else {
        b->next = large_free;
        large_free = b;
    }
}

void *calloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size); // reused blocks hold old data
    return p;
}

void *realloc(void *p, size_t size) {
    if (p == NULL)
        return malloc(size);
    struct block *b = block_of(p);
    if (size <= b->size)
        return p;
    void *q = malloc(size);
    if (q == NULL)
        return NULL; // p stays valid, as C requires
    memcpy(q, p, b->size);
    free(p);
    return q;
}
