// SPDX-License-Identifier: MIT
// The app loader: maps a PIE ELF into a process, relocates it and starts its main thread.
#include "loader.h"
#include "folio.h"
#include "process.h"
#include "thread.h"
#include "vmspace.h"
#include <string.h>

// The few ELF64 structures the loader reads (System V ABI).
struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
struct elf64_dyn {
    int64_t tag;
    uint64_t val;
};
struct elf64_rela {
    uint64_t offset, info;
    int64_t addend;
};
#define ET_DYN 3
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define DT_NULL 0
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define APP_IMAGE_MAX (16u << 20)

static const struct elf64_phdr *elf_phdrs(const void *elf, size_t size, int *err) {
    const struct elf64_ehdr *eh = elf;
    if (size < sizeof(*eh) || memcmp(eh->ident, "\x7f" "ELF", 4) != 0 || eh->ident[4] != 2 ||
        eh->ident[5] != 1 || eh->type != ET_DYN || eh->machine != ARCH_ELF_MACHINE ||
        eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > size ||
        eh->phnum > (size - eh->phoff) / sizeof(struct elf64_phdr)) {
        *err = ERR_INVALID_ARG;
        return NULL;
    }
    return (const struct elf64_phdr *)((const uint8_t *)elf + eh->phoff);
}

static unsigned segment_prot(uint32_t flags) {
    return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
           ((flags & PF_X) ? PROT_EXEC : 0);
}

// Applies R_*_RELATIVE relocations in the image (seen through `image`, a
// kernel pointer to its first byte, loaded at `base`).
static int elf_relocate(uint8_t *image, size_t span, vaddr_t base, const struct elf64_phdr *dyn) {
    if (dyn->vaddr > span || dyn->memsz > span - dyn->vaddr)
        return ERR_INVALID_ARG;
    uint64_t rela = 0, relasz = 0, relaent = sizeof(struct elf64_rela);
    const struct elf64_dyn *d = (const struct elf64_dyn *)(image + dyn->vaddr);
    for (size_t i = 0; i < dyn->memsz / sizeof(*d) && d[i].tag != DT_NULL; i++) {
        if (d[i].tag == DT_RELA)
            rela = d[i].val;
        else if (d[i].tag == DT_RELASZ)
            relasz = d[i].val;
        else if (d[i].tag == DT_RELAENT)
            relaent = d[i].val;
    }
    if (relaent != sizeof(struct elf64_rela) || rela > span || relasz > span - rela)
        return ERR_INVALID_ARG;
    const struct elf64_rela *r = (const struct elf64_rela *)(image + rela);
    for (size_t i = 0; i < relasz / sizeof(*r); i++) {
        if ((uint32_t)r[i].info != ARCH_ELF_R_RELATIVE || r[i].offset > span - 8)
            return ERR_INVALID_ARG; // PIE apps need nothing else: anything else is a build error
        uint64_t value = base + (uint64_t)r[i].addend;
        memcpy(image + r[i].offset, &value, sizeof(value));
    }
    return 0;
}

static int load_image(struct process *proc, const void *elf, size_t size, vaddr_t *base_out) {
    int err = 0;
    const struct elf64_ehdr *eh = elf;
    const struct elf64_phdr *ph = elf_phdrs(elf, size, &err);
    if (!ph)
        return err;
    uint64_t span = 0;
    const struct elf64_phdr *dyn = NULL;
    for (int i = 0; i < eh->phnum; i++) {
        if (ph[i].type == PT_DYNAMIC)
            dyn = &ph[i];
        if (ph[i].type != PT_LOAD)
            continue;
        if (ph[i].filesz > ph[i].memsz || ph[i].offset > size || ph[i].filesz > size - ph[i].offset ||
            ph[i].vaddr > APP_IMAGE_MAX || ph[i].memsz > APP_IMAGE_MAX - ph[i].vaddr)
            return ERR_INVALID_ARG;
        span = MAX(span, ALIGN_UP(ph[i].vaddr + ph[i].memsz, PAGE_SIZE));
    }
    if (span == 0 || eh->entry >= span)
        return ERR_INVALID_ARG;
    struct folio *img = folio_alloc(span, &err);
    if (!img)
        return err;
    uint8_t *image = arch_paddr_to_ptr(img->paddr);
    vaddr_t base;
    if ((err = vmspace_reserve(proc->vmspace, span, &base)) < 0)
        goto out;
    for (int i = 0; i < eh->phnum; i++) {
        if (ph[i].type != PT_LOAD)
            continue;
        memcpy(image + ph[i].vaddr, (const uint8_t *)elf + ph[i].offset, ph[i].filesz);
        vaddr_t start = ALIGN_DOWN(ph[i].vaddr, PAGE_SIZE);
        vaddr_t end = ALIGN_UP(ph[i].vaddr + ph[i].memsz, PAGE_SIZE);
        err = vmspace_map_at(proc->vmspace, img, start, end - start, segment_prot(ph[i].flags),
                             proc, base + start);
        if (err < 0)
            goto out;
    }
    if (dyn && (err = elf_relocate(image, span, base, dyn)) < 0)
        goto out;
    *base_out = base;
out:
    if (err < 0)
        vmspace_unmap_owned(proc->vmspace, proc);
    kobj_unref(&img->obj); // the mappings hold it now
    return err;
}

int loader_start(struct process *proc, const void *elf, size_t size, struct start_info *si,
                 vaddr_t *image_base) {
    vaddr_t base, stack;
    int err = load_image(proc, elf, size, &base);
    if (err < 0)
        return err;
    struct folio *stack_folio = folio_alloc(APP_STACK_SIZE, &err);
    if (!stack_folio)
        goto fail;
    err = vmspace_map(proc->vmspace, stack_folio, 0, APP_STACK_SIZE, PROT_READ | PROT_WRITE, proc, &stack);
    kobj_unref(&stack_folio->obj);
    if (err < 0)
        goto fail;
    kobj_ref(&proc->vmspace->obj);
    handle_t vs = handle_install(&proc->handles, &proc->vmspace->obj, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP);
    if (vs < 0) {
        kobj_unref(&proc->vmspace->obj);
        err = vs;
        goto fail;
    }
    si->magic = START_INFO_MAGIC;
    si->mode = proc->mode;
    si->gate = proc->mode == ISOLATION_IN_KERNEL ? syscall_gate_direct : NULL;
    si->vmspace = vs;
    // start_info sits at the top of the stack; the stack grows down below it.
    size_t si_offset = ALIGN_DOWN(APP_STACK_SIZE - sizeof(*si), 16);
    memcpy((uint8_t *)arch_paddr_to_ptr(stack_folio->paddr) + si_offset, si, sizeof(*si));
    vaddr_t si_va = stack + si_offset;
    const struct elf64_ehdr *eh = elf;
    struct thread *t = thread_create(proc, base + eh->entry, si_va, si_va);
    if (!t) {
        err = ERR_NO_MEMORY;
        goto fail;
    }
    kobj_unref(&t->obj);
    *image_base = base;
    return 0;
fail:
    vmspace_unmap_owned(proc->vmspace, proc);
    return err;
}
