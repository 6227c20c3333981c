// SPDX-License-Identifier: MIT
// Folios: physically contiguous runs of pages, freed with their last reference.
#pragma once
#include "common.h"
#include "kobj.h"

struct folio {
    struct kobj obj;
    paddr_t paddr;
    size_t npages;
    bool is_mmio; // device memory: never handed to the page allocator
    uint64_t mmio_offset; // where the device's registers start in the first page
};

#define FOLIO_MAX_BYTES (64ull << 20) // one allocation is at most 64 MiB

// Allocates a zeroed folio of `size` bytes rounded up to pages. Returns it
// with one reference, or NULL. ERR_INVALID_ARG / ERR_TOO_LARGE / ERR_NO_MEMORY in *err.
struct folio *folio_alloc(size_t size, int *err);
void folio_destroy(struct kobj *obj);
