// SPDX-License-Identifier: MIT
// The kernel heap: zeroed allocations of any size, returned to the page allocator when empty.
#pragma once
#include "common.h"

// Returns zeroed memory of at least `size` bytes aligned to 16, or NULL.
MUST_CHECK void *kmalloc(size_t size);
// Frees what kmalloc returned; kfree(NULL) does nothing.
void kfree(void *p);
// Bytes currently allocated (requested sizes rounded to their size class).
size_t kmalloc_bytes_used(void);
