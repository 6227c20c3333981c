// SPDX-License-Identifier: MIT
// Folios: physically contiguous runs of pages, freed with their last reference.
#include "folio.h"
#include "kmalloc.h"
#include "page.h"

struct folio *folio_alloc(size_t size, int *err) {
    if (size == 0) {
        *err = ERR_INVALID_ARG;
        return NULL;
    }
    if (size > FOLIO_MAX_BYTES) {
        *err = ERR_TOO_LARGE;
        return NULL;
    }
    struct folio *f = kmalloc(sizeof(*f));
    if (!f) {
        *err = ERR_NO_MEMORY;
        return NULL;
    }
    f->npages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    f->paddr = page_alloc(f->npages);
    if (!f->paddr) {
        kfree(f);
        *err = ERR_NO_MEMORY;
        return NULL;
    }
    kobj_init(&f->obj, KOBJ_FOLIO);
    return f;
}

void folio_destroy(struct kobj *obj) {
    struct folio *f = (struct folio *)obj;
    if (!f->is_mmio)
        page_free(f->paddr, f->npages);
    kfree(f);
}
