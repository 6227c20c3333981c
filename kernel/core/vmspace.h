// SPDX-License-Identifier: MIT
// Address spaces: folios mapped at virtual addresses, with page tables kept in step and TLBs flushed.
#pragma once
#include "common.h"
#include "folio.h"
#include "kobj.h"
#include "process.h"

struct vm_mapping {
    struct list_node node;  // in vmspace->mappings, sorted by va
    vaddr_t va;
    size_t len;             // bytes, page multiple
    struct folio *folio;    // reference held
    size_t folio_offset;    // bytes into the folio
    unsigned prot;          // PROT_*
    struct process *owner;  // who may unmap it; whose exit removes it
};

// The kernel vmspace is shared by all in-kernel processes; each mapping in it
// remembers its owner. A user vmspace belongs to one process.
struct vmspace {
    struct kobj obj;
    bool is_kernel;
    struct arch_pagetable pt; // user vmspaces; the kernel one uses arch_kernel_pagetable()
    struct list mappings;
    vaddr_t base, end;        // where mappings are placed
};

extern struct vmspace *kernel_vmspace;

void vmspace_init(void);
// A new, empty user vmspace, or NULL.
struct vmspace *vmspace_create_user(void);
void vmspace_destroy(struct kobj *obj);
void vmspace_activate(struct vmspace *vs);
// Maps `len` bytes of `folio` from `folio_offset` with `prot` at a free
// address (returned in *va). Returns 0, ERR_INVALID_ARG or ERR_NO_MEMORY;
// on failure nothing is mapped.
MUST_CHECK int vmspace_map(struct vmspace *vs, struct folio *folio, size_t folio_offset,
                           size_t len, unsigned prot, struct process *owner, vaddr_t *va);
// Like vmspace_map, at exactly `va` (which must be free).
MUST_CHECK int vmspace_map_at(struct vmspace *vs, struct folio *folio, size_t folio_offset,
                              size_t len, unsigned prot, struct process *owner, vaddr_t va);
// Finds a free range of len bytes without mapping it (for images mapped in parts).
MUST_CHECK int vmspace_reserve(struct vmspace *vs, size_t len, vaddr_t *va);
// Removes the mapping that starts at `va` and belongs to `owner`: ERR_NOT_FOUND otherwise.
MUST_CHECK int vmspace_unmap(struct vmspace *vs, vaddr_t va, struct process *owner);
// Removes every mapping of `owner` (its exit).
void vmspace_unmap_owned(struct vmspace *vs, struct process *owner);
// vmspace_range_ok when the owner's last-hit mapping does not cover the range.
bool vmspace_range_ok_slow(struct vmspace *vs, struct process *owner, vaddr_t va, size_t len,
                           unsigned prot);

// True if [va, va+len) (len > 0) lies inside the mapping owner's previous
// check hit, and that allows `prot`: the common case of vmspace_range_ok.
ALWAYS_INLINE bool vmspace_range_hit(const struct process *owner, vaddr_t va, size_t len,
                                     unsigned prot) {
    const struct vm_mapping *m = owner->last_hit;
    if (!m || (m->prot & prot) != prot)
        return false;
    // off < m->len puts va inside m; len <= m->len - off keeps the end there (no overflow).
    vaddr_t off = va - m->va;
    return off < m->len && len <= m->len - off;
}

// True if [va, va+len) lies inside mappings of `owner` allowing `prot`.
// Inline for the common case (every IPC syscall checks its pointers): the
// range lies in the mapping the owner's previous check hit (owner->last_hit,
// kept per process: in-kernel processes share the kernel vmspace).
ALWAYS_INLINE bool vmspace_range_ok(struct vmspace *vs, struct process *owner, vaddr_t va,
                                    size_t len, unsigned prot) {
    return vmspace_range_hit(owner, va, len, prot) ||
           vmspace_range_ok_slow(vs, owner, va, len, prot);
}
