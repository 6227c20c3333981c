// SPDX-License-Identifier: MIT
// x86_64 4-level page tables: the kernel's identity map, kernel app mappings and user page tables.
#include <string.h>
#include "../../core/bootmem.h"
#include "x86_64.h"

#define PTE_P (1ul << 0)
#define PTE_W (1ul << 1)
#define PTE_U (1ul << 2)
#define PTE_PWT (1ul << 3)
#define PTE_PCD (1ul << 4)
#define PTE_A (1ul << 5)
#define PTE_D (1ul << 6)
#define PTE_PS (1ul << 7) // a large page at level 1 (2 MiB) or 2 (1 GiB)
#define PTE_NX (1ul << 63)
#define PTE_ADDR 0x000ffffffffff000ul
#define PT_ENTRIES 512
#define LEVEL_SHIFT(level) (12 + 9 * (level)) // 3: 512 GiB, 2: 1 GiB, 1: 2 MiB, 0: 4 KiB
#define LEVEL_SIZE(level) (1ul << LEVEL_SHIFT(level))
#define INDEX(va, level) (((va) >> LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))

// The address space layout is in x86_64.h.
#define USER_ROOT_FIRST INDEX(USER_BASE, 3)
#define USER_ROOT_LAST INDEX(USER_END - 1, 3)

static struct arch_pagetable kernel_pt;
static uint64_t *table(paddr_t pa) {
    return arch_paddr_to_ptr(pa);
}

// The entry for `va` at `level` in the tree under `root`, creating missing
// tables if `alloc`. Returns NULL if a table could not be allocated
// (ERR_NO_MEMORY in *err), a large page covers va already (ERR_IN_USE), or
// !alloc and a table is missing (ERR_NOT_FOUND).
static uint64_t *walk(paddr_t root, vaddr_t va, int level, bool alloc, int *err) {
    uint64_t *pt = table(root);
    for (int l = 3; l > level; l--) {
        uint64_t *pte = &pt[INDEX(va, l)];
        if (*pte & PTE_P) {
            if (*pte & PTE_PS) {
                *err = ERR_IN_USE;
                return NULL;
            }
        } else {
            paddr_t page = alloc ? arch_pt_alloc_page() : 0;
            if (!page) {
                *err = alloc ? ERR_NO_MEMORY : ERR_NOT_FOUND;
                return NULL;
            }
            // Tables allow everything; the leaf decides.
            *pte = page | PTE_P | PTE_W | PTE_U;
        }
        pt = table(*pte & PTE_ADDR);
    }
    return &pt[INDEX(va, level)];
}

static bool va_in_range(vaddr_t va) {
    return va < (1ul << 47);
}

static uint64_t prot_to_pte(unsigned prot) {
    uint64_t flags = PTE_P | PTE_A | PTE_D;
    // x86 has no write-only or execute-only pages: any access implies read.
    if (prot & ARCH_PROT_WRITE)
        flags |= PTE_W;
    if (!(prot & ARCH_PROT_EXEC) && x86_64_has_nx)
        flags |= PTE_NX;
    if (prot & ARCH_PROT_USER)
        flags |= PTE_U;
    if (prot & ARCH_PROT_MMIO)
        flags |= PTE_PCD | PTE_PWT; // uncached with the power-on PAT
    return flags;
}

static unsigned pte_to_prot(uint64_t pte) {
    unsigned prot = ARCH_PROT_READ;
    if (pte & PTE_W)
        prot |= ARCH_PROT_WRITE;
    if (!(pte & PTE_NX))
        prot |= ARCH_PROT_EXEC;
    if (pte & PTE_U)
        prot |= ARCH_PROT_USER;
    if (pte & PTE_PCD)
        prot |= ARCH_PROT_MMIO;
    return prot;
}

static void invlpg(vaddr_t va) {
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

// Maps [base, end) one-to-one with the largest pages alignment allows (2 MiB at most).
static void map_identity(paddr_t base, paddr_t end, uint64_t flags) {
    paddr_t pa = ALIGN_DOWN(base, PAGE_SIZE);
    end = ALIGN_UP(end, PAGE_SIZE);
    while (pa < end) {
        int level = (IS_ALIGNED(pa, LEVEL_SIZE(1)) && end - pa >= LEVEL_SIZE(1)) ? 1 : 0;
        int err = 0;
        uint64_t *pte = walk(kernel_pt.root, pa, level, true, &err);
        if (!pte && err == ERR_NO_MEMORY)
            panic("x86_64: out of boot page-table pages");
        // Overlapping ranges keep the first mapping.
        if (pte && !(*pte & PTE_P))
            *pte = pa | flags | (level ? PTE_PS : 0);
        pa += LEVEL_SIZE(level);
    }
}

// bootmem_map_ranges' page-table writer.
static void map_boot_range(paddr_t start, paddr_t end, unsigned prot) {
    map_identity(start, end, prot_to_pte(prot));
}

void x86_64_mmu_init(const struct bootmem_range *ranges, int n, paddr_t kstart,
                     paddr_t kend, paddr_t *next_free) {
    extern char __text_start[], __text_end[];
    arch_pt_boot_pages(next_free);
    kernel_pt.root = arch_pt_alloc_page();
    // Large pages for RAM; the kernel image's window page by page, so that
    // only its text is executable.
    bootmem_map_ranges(ranges, n, kstart, kend, LEVEL_SIZE(1), (paddr_t)__text_start,
                       (paddr_t)__text_end, map_boot_range);
    // The kernel map region's PDPT exists from the start, so every user
    // page table made later shares it (and all that appears under it).
    int err;
    if (!walk(kernel_pt.root, KERNEL_MAP_BASE, 2, true, &err))
        panic("x86_64: no page for the kernel map region");
    arch_pt_boot_pages(NULL);
    arch_switch_pagetable(&kernel_pt);
}

struct arch_pagetable *arch_kernel_pagetable(void) {
    return &kernel_pt;
}

int arch_pt_create(struct arch_pagetable *pt) {
    paddr_t root = arch_pt_alloc_page();
    if (!root)
        return ERR_NO_MEMORY;
    // Share every kernel PML4 entry; the user range starts empty.
    uint64_t *dst = table(root), *src = table(kernel_pt.root);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        dst[i] = (i >= USER_ROOT_FIRST && i <= USER_ROOT_LAST) ? 0 : src[i];
    pt->root = root;
    return 0;
}

// Frees the tables below a table entry of `level` (not the mapped pages).
static void free_subtree(uint64_t pte, int level) {
    if (!(pte & PTE_P) || (pte & PTE_PS))
        return;
    uint64_t *pt = table(pte & PTE_ADDR);
    if (level > 1) {
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            free_subtree(pt[i], level - 1);
    }
    arch_pt_free_page(pte & PTE_ADDR);
}

void arch_pt_destroy(struct arch_pagetable *pt) {
    ASSERT(pt != &kernel_pt && pt->root);
    uint64_t *root = table(pt->root);
    // Only the user range belongs to this table; the rest is the kernel's.
    for (unsigned i = USER_ROOT_FIRST; i <= USER_ROOT_LAST; i++)
        free_subtree(root[i], 3);
    arch_pt_free_page(pt->root);
    pt->root = 0;
}

int arch_pt_map(struct arch_pagetable *pt, vaddr_t va, paddr_t pa, unsigned prot) {
    if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(pa, PAGE_SIZE) || !va_in_range(va) ||
        !(prot & (ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_EXEC)))
        return ERR_INVALID_ARG;
    // A user table owns only the user range (the rest is shared with the
    // kernel's), and the kernel's must not grow entries there.
    bool user_va = va >= USER_BASE && va < USER_END;
    if (user_va != (pt != &kernel_pt))
        return ERR_INVALID_ARG;
    int err = 0;
    uint64_t *pte = walk(pt->root, va, 0, true, &err);
    if (!pte)
        return err;
    if (*pte & PTE_P)
        return ERR_IN_USE;
    // Not-present entries are never cached, so a new mapping needs no flush.
    *pte = pa | prot_to_pte(prot);
    return 0;
}

void arch_pt_unmap(struct arch_pagetable *pt, vaddr_t va) {
    int err;
    if (!va_in_range(va))
        return;
    uint64_t *pte = walk(pt->root, va, 0, false, &err);
    if (pte && (*pte & PTE_P)) {
        *pte = 0;
        // Harmless if pt is not the current table (its entries are flushed on
        // the next CR3 load anyway).
        invlpg(va);
    }
}

static bool lookup(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot) {
    if (!va_in_range(va))
        return false;
    uint64_t *t = table(root);
    for (int level = 3; level >= 0; level--) {
        uint64_t pte = t[INDEX(va, level)];
        if (!(pte & PTE_P))
            return false;
        if (level == 0 || (pte & PTE_PS)) {
            if (pa)
                *pa = (pte & PTE_ADDR & ~(LEVEL_SIZE(level) - 1)) + (va & (LEVEL_SIZE(level) - 1));
            if (prot)
                *prot = pte_to_prot(pte);
            return true;
        }
        t = table(pte & PTE_ADDR);
    }
    return false;
}

bool arch_pt_lookup(struct arch_pagetable *pt, vaddr_t va, paddr_t *pa, unsigned *prot) {
    return lookup(pt->root, va, pa, prot);
}

void arch_switch_pagetable(struct arch_pagetable *pt) {
    // No PCIDs and no global pages: a CR3 load flushes every translation.
    if ((read_cr(3) & PTE_ADDR) != pt->root)
        write_cr(3, pt->root);
}

bool x86_64_mmu_readable(vaddr_t va) {
    unsigned prot;
    return lookup(read_cr(3) & PTE_ADDR, va, NULL, &prot) && !(prot & ARCH_PROT_USER);
}

void *arch_paddr_to_ptr(paddr_t pa) {
    return (void *)pa; // RAM is identity-mapped
}

paddr_t arch_ptr_to_paddr(const void *p) {
    return (paddr_t)p;
}

vaddr_t arch_kernel_map_base(void) {
    return KERNEL_MAP_BASE;
}

vaddr_t arch_kernel_map_end(void) {
    return KERNEL_MAP_END;
}

vaddr_t arch_user_base(void) {
    return USER_BASE;
}

vaddr_t arch_user_end(void) {
    return USER_END;
}
