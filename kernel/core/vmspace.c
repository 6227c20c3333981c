// SPDX-License-Identifier: MIT
// Address spaces: folios mapped at virtual addresses, with page tables kept in step and TLBs flushed.
#include "vmspace.h"
#include "kmalloc.h"
#include "thread.h"

struct vmspace *kernel_vmspace;

static struct arch_pagetable *vmspace_pt(struct vmspace *vs) {
    return vs->is_kernel ? arch_kernel_pagetable() : &vs->pt;
}

static unsigned arch_prot(const struct vmspace *vs, const struct folio *folio, unsigned prot) {
    unsigned p = folio->is_mmio ? ARCH_PROT_MMIO : 0;
    if (prot & PROT_READ)
        p |= ARCH_PROT_READ;
    if (prot & PROT_WRITE)
        p |= ARCH_PROT_WRITE;
    if (prot & PROT_EXEC)
        p |= ARCH_PROT_EXEC;
    if (!vs->is_kernel)
        p |= ARCH_PROT_USER;
    return p;
}

static struct vmspace *vmspace_alloc(bool is_kernel, vaddr_t base, vaddr_t end) {
    struct vmspace *vs = kmalloc(sizeof(*vs));
    if (!vs)
        return NULL;
    kobj_init(&vs->obj, KOBJ_VMSPACE);
    vs->is_kernel = is_kernel;
    list_init(&vs->mappings);
    vs->base = base;
    vs->end = end;
    return vs;
}

void vmspace_init(void) {
    kernel_vmspace = vmspace_alloc(true, arch_kernel_map_base(), arch_kernel_map_end());
    if (!kernel_vmspace)
        panic("no memory for the kernel vmspace");
}

struct vmspace *vmspace_create_user(void) {
    struct vmspace *vs = vmspace_alloc(false, arch_user_base(), arch_user_end());
    if (!vs)
        return NULL;
    if (arch_pt_create(&vs->pt) < 0) {
        kfree(vs);
        return NULL;
    }
    return vs;
}

void vmspace_activate(struct vmspace *vs) {
    arch_switch_pagetable(vmspace_pt(vs));
}

static void mapping_remove(struct vmspace *vs, struct vm_mapping *m) {
    struct arch_pagetable *pt = vmspace_pt(vs);
    for (size_t off = 0; off < m->len; off += PAGE_SIZE)
        arch_pt_unmap(pt, m->va + off); // flushes the TLB entry: no stale access after unmap
    list_remove(&m->node);
    if (m->owner->last_hit == m)
        m->owner->last_hit = NULL;
    // A thread of the owner had its channel_call buffer checked against the
    // mappings as they were (while it waits, and for its next call).
    LIST_FOR_EACH (t, &m->owner->threads, struct thread, proc_node)
        t->ipc_reply_checked = 0;
    kobj_unref(&m->folio->obj);
    kfree(m);
}

void vmspace_destroy(struct kobj *obj) {
    struct vmspace *vs = (struct vmspace *)obj;
    ASSERT(!vs->is_kernel);
    LIST_FOR_EACH (m, &vs->mappings, struct vm_mapping, node)
        mapping_remove(vs, m);
    arch_pt_destroy(&vs->pt);
    kfree(vs);
}

// The first mapping whose range ends after va (the insertion point for va).
static struct list_node *vmspace_find_pos(struct vmspace *vs, vaddr_t va) {
    struct list_node *pos = vs->mappings.head.next;
    while (pos != &vs->mappings.head) {
        struct vm_mapping *m = LIST_CONTAINER(pos, struct vm_mapping, node);
        if (m->va + m->len > va)
            break;
        pos = pos->next;
    }
    return pos;
}

int vmspace_reserve(struct vmspace *vs, size_t len, vaddr_t *va) {
    // First fit between sorted mappings, leaving a guard page after each.
    vaddr_t candidate = vs->base;
    LIST_FOR_EACH (m, &vs->mappings, struct vm_mapping, node) {
        if (candidate + len + PAGE_SIZE <= m->va)
            break;
        if (m->va + m->len + PAGE_SIZE > candidate)
            candidate = m->va + m->len + PAGE_SIZE;
    }
    if (candidate + len < candidate || candidate + len > vs->end)
        return ERR_NO_MEMORY;
    *va = candidate;
    return 0;
}

int vmspace_map_at(struct vmspace *vs, struct folio *folio, size_t folio_offset, size_t len,
                   unsigned prot, struct process *owner, vaddr_t va) {
    if (len == 0 || !IS_ALIGNED(len, PAGE_SIZE) || !IS_ALIGNED(va, PAGE_SIZE) ||
        !IS_ALIGNED(folio_offset, PAGE_SIZE) || folio_offset + len < len ||
        folio_offset + len > folio->npages * PAGE_SIZE || va < vs->base || va + len > vs->end ||
        va + len < va)
        return ERR_INVALID_ARG;
    struct list_node *pos = vmspace_find_pos(vs, va);
    if (pos != &vs->mappings.head && LIST_CONTAINER(pos, struct vm_mapping, node)->va < va + len)
        return ERR_IN_USE;
    struct vm_mapping *m = kmalloc(sizeof(*m));
    if (!m)
        return ERR_NO_MEMORY;
    struct arch_pagetable *pt = vmspace_pt(vs);
    for (size_t off = 0; off < len; off += PAGE_SIZE) {
        int err = arch_pt_map(pt, va + off, folio->paddr + folio_offset + off, arch_prot(vs, folio, prot));
        if (err < 0) {
            // Undo what was mapped so a failure changes nothing.
            for (size_t undo = 0; undo < off; undo += PAGE_SIZE)
                arch_pt_unmap(pt, va + undo);
            kfree(m);
            return err;
        }
    }
    m->va = va;
    m->len = len;
    m->folio = folio;
    m->folio_offset = folio_offset;
    m->prot = prot;
    m->owner = owner;
    kobj_ref(&folio->obj);
    list_insert_before(pos, &m->node);
    return 0;
}

int vmspace_map(struct vmspace *vs, struct folio *folio, size_t folio_offset, size_t len,
                unsigned prot, struct process *owner, vaddr_t *va) {
    if (len == 0 || len > folio->npages * PAGE_SIZE)
        return ERR_INVALID_ARG;
    vaddr_t at;
    int err = vmspace_reserve(vs, ALIGN_UP(len, PAGE_SIZE), &at);
    if (err < 0)
        return err;
    err = vmspace_map_at(vs, folio, folio_offset, ALIGN_UP(len, PAGE_SIZE), prot, owner, at);
    if (err == 0)
        *va = at;
    return err;
}

int vmspace_unmap(struct vmspace *vs, vaddr_t va, struct process *owner) {
    LIST_FOR_EACH (m, &vs->mappings, struct vm_mapping, node) {
        if (m->va == va && m->owner == owner) {
            mapping_remove(vs, m);
            return 0;
        }
    }
    return ERR_NOT_FOUND;
}

void vmspace_unmap_owned(struct vmspace *vs, struct process *owner) {
    LIST_FOR_EACH (m, &vs->mappings, struct vm_mapping, node) {
        if (m->owner == owner)
            mapping_remove(vs, m);
    }
}

static bool mapping_covers(const struct vm_mapping *m, struct process *owner, vaddr_t va,
                           unsigned prot) {
    return m->owner == owner && va >= m->va && va < m->va + m->len && (m->prot & prot) == prot;
}

bool vmspace_range_ok_slow(struct vmspace *vs, struct process *owner, vaddr_t va, size_t len,
                           unsigned prot) {
    // owner->last_hit names a mapping of owner's own vmspace: checking another
    // (mapping into other vmspaces is not supported yet) would trust it there.
    ASSERT(vs == owner->vmspace);
    if (va + len < va)
        return false;
    vaddr_t end = va + len;
    struct vm_mapping **slot = &owner->last_hit;
    // A range may span adjacent mappings; walk them in address order.
    while (va < end || len == 0) {
        struct vm_mapping *m = *slot;
        if (!m || !mapping_covers(m, owner, va, prot)) {
            m = NULL;
            LIST_FOR_EACH (it, &vs->mappings, struct vm_mapping, node) {
                if (mapping_covers(it, owner, va, prot)) {
                    m = it;
                    break;
                }
            }
            if (!m)
                return false;
            *slot = m;
        }
        if (len == 0)
            return true;
        va = m->va + m->len;
    }
    return true;
}
