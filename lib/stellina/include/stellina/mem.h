// SPDX-License-Identifier: MIT
// Memory and threads for apps and drivers: mapped folios, DMA buffers, extra threads.
#pragma once
#include <stellina/syscall.h>

// A folio mapped into this app's vmspace.
struct mapped_folio {
    handle_t folio; // owned by the caller
    void *addr;     // where it is mapped
    size_t size;    // rounded up to pages
    uint64_t paddr; // physical address (for DMA), 0 if not asked for
};

// Allocates `size` bytes of physically contiguous memory, maps it read-write
// into this app and, if `want_paddr`, learns its physical address (for DMA).
// Returns 0 and fills *out, or an ERR_* (nothing is left allocated).
int folio_map_new(size_t size, int want_paddr, struct mapped_folio *out);
// Unmaps and closes what folio_map_new created. Returns 0 or an ERR_*.
int folio_unmap_free(struct mapped_folio *mf);

// The hook lib/c's malloc uses: `bytes` (rounded up to pages) of zeroed,
// page-aligned memory from a new folio, or NULL. Never freed.
void *__libc_alloc_pages(size_t bytes);

// Starts fn(arg) on a new thread of this process with a fresh stack of
// `stack_size` bytes (0: 16 KiB). When fn returns the thread exits. The stack
// is not reclaimed. Returns the thread handle or an ERR_*.
handle_t thread_start(void (*fn)(void *), void *arg, size_t stack_size);
