// SPDX-License-Identifier: MIT
// The physical page allocator: contiguous runs of 4 KiB pages, really freed.
#pragma once
#include "common.h"

// Hands the usable RAM of `bi` (minus the kernel image and reserved ranges)
// to the allocator. Called once at boot.
void page_init(const struct boot_info *bi);
// Allocates `npages` physically contiguous, zeroed pages. Returns the physical
// address of the first, or 0 if no such run is free.
MUST_CHECK paddr_t page_alloc(size_t npages);
// Returns a run obtained from page_alloc (same npages). Double frees panic.
void page_free(paddr_t pa, size_t npages);
size_t page_free_count(void);
size_t page_total_count(void);
