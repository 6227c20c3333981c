// SPDX-License-Identifier: MIT
// Sv39 page tables: the kernel's identity map, kernel app mappings and user page tables.
#include <string.h>
#include "../../core/bootmem.h"
#include "riscv64.h"

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)
#define SATP_SV39 (8ul << 60)
#define PT_ENTRIES 512
#define LEVEL_SHIFT(level) (12 + 9 * (level)) // level 2: 1 GiB, 1: 2 MiB, 0: 4 KiB
#define LEVEL_SIZE(level) (1ul << LEVEL_SHIFT(level))
#define VPN(va, level) (((va) >> LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))

#define USER_ROOT_FIRST VPN(USER_BASE, 2)
#define USER_ROOT_LAST VPN(USER_END - 1, 2)

static struct arch_pagetable kernel_pt;
static uint64_t *table(paddr_t pa) {
    return arch_paddr_to_ptr(pa);
}

static paddr_t pte_paddr(uint64_t pte) {
    return (pte >> 10) << 12;
}

static uint64_t make_pte(paddr_t pa, uint64_t flags) {
    return ((pa >> 12) << 10) | flags | PTE_V;
}

// The entry for `va` at `level` in the tree under `root`, creating missing
// intermediate tables if `alloc`. Returns NULL if a table could not be
// allocated (ERR_NO_MEMORY in *err) or a large page covers va already
// (ERR_IN_USE), or if !alloc and a table is missing (ERR_NOT_FOUND).
static uint64_t *walk(paddr_t root, vaddr_t va, int level, bool alloc, int *err) {
    uint64_t *pt = table(root);
    for (int l = 2; l > level; l--) {
        uint64_t *pte = &pt[VPN(va, l)];
        if (*pte & PTE_V) {
            if (*pte & PTE_LEAF) {
                *err = ERR_IN_USE;
                return NULL;
            }
        } else {
            paddr_t page = alloc ? arch_pt_alloc_page() : 0;
            if (!page) {
                *err = alloc ? ERR_NO_MEMORY : ERR_NOT_FOUND;
                return NULL;
            }
            *pte = make_pte(page, 0);
        }
        pt = table(pte_paddr(*pte));
    }
    return &pt[VPN(va, level)];
}

// Whether va is a canonical Sv39 address in the low half (the only half we use).
static bool va_in_range(vaddr_t va) {
    return va < (1ul << 38);
}

static uint64_t prot_to_pte(unsigned prot) {
    uint64_t flags = PTE_A | PTE_D;
    // RISC-V has no write-only pages: W without R is reserved.
    if (prot & (ARCH_PROT_READ | ARCH_PROT_WRITE))
        flags |= PTE_R;
    if (prot & ARCH_PROT_WRITE)
        flags |= PTE_W;
    if (prot & ARCH_PROT_EXEC)
        flags |= PTE_X;
    if (prot & ARCH_PROT_USER)
        flags |= PTE_U;
    // ARCH_PROT_MMIO needs nothing: without Svpbmt, the PMAs of the address decide.
    return flags;
}

static unsigned pte_to_prot(uint64_t pte) {
    unsigned prot = 0;
    if (pte & PTE_R)
        prot |= ARCH_PROT_READ;
    if (pte & PTE_W)
        prot |= ARCH_PROT_WRITE;
    if (pte & PTE_X)
        prot |= ARCH_PROT_EXEC;
    if (pte & PTE_U)
        prot |= ARCH_PROT_USER;
    return prot;
}

static void sfence_all(void) {
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static void sfence_va(vaddr_t va) {
    __asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

// Maps [base, end) one-to-one with the largest pages alignment allows.
static void map_identity(paddr_t base, paddr_t end, uint64_t flags) {
    paddr_t pa = ALIGN_DOWN(base, PAGE_SIZE);
    end = ALIGN_UP(end, PAGE_SIZE);
    while (pa < end) {
        int level = 2;
        while (level > 0 && (!IS_ALIGNED(pa, LEVEL_SIZE(level)) || end - pa < LEVEL_SIZE(level)))
            level--;
        int err = 0;
        uint64_t *pte = walk(kernel_pt.root, pa, level, true, &err);
        if (!pte && err == ERR_NO_MEMORY)
            panic("riscv64: out of boot page-table pages");
        // Overlapping ranges (a device listed twice) keep the first mapping.
        if (pte && !(*pte & PTE_V))
            *pte = make_pte(pa, flags);
        pa += LEVEL_SIZE(level);
    }
}

// bootmem_map_ranges' page-table writer.
static void map_boot_range(paddr_t start, paddr_t end, unsigned prot) {
    map_identity(start, end, prot_to_pte(prot));
}

void riscv64_mmu_init(const struct bootmem_range *ranges, int n, paddr_t kstart,
                      paddr_t kend, paddr_t *next_free) {
    extern char __text_start[], __text_end[];
    arch_pt_boot_pages(next_free);
    kernel_pt.root = arch_pt_alloc_page();
    // Large pages for RAM; the kernel image's window page by page, so that
    // only its text is executable.
    bootmem_map_ranges(ranges, n, kstart, kend, LEVEL_SIZE(1), (paddr_t)__text_start,
                       (paddr_t)__text_end, map_boot_range);
    // Every root entry of the kernel map region exists from boot: user page
    // tables copy the root's kernel entries when created, so they see every
    // later in-kernel app mapping. (Copying them lazily on a fault cannot
    // work: the fault may be the trap entry pushing onto an in-kernel app's stack.)
    for (vaddr_t va = KERNEL_MAP_BASE; va < KERNEL_MAP_END; va += LEVEL_SIZE(2)) {
        int err = 0;
        if (!walk(kernel_pt.root, va, 1, true, &err))
            panic("riscv64: out of boot page-table pages");
    }
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
    // Share every kernel top-level entry; the user range starts empty.
    uint64_t *dst = table(root), *src = table(kernel_pt.root);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        dst[i] = (i >= USER_ROOT_FIRST && i <= USER_ROOT_LAST) ? 0 : src[i];
    *pt = (struct arch_pagetable){.root = root};
    return 0;
}

// Frees the tables below a table entry of `level` (not the mapped pages).
static void free_subtree(uint64_t pte, int level) {
    if (!(pte & PTE_V) || (pte & PTE_LEAF))
        return;
    uint64_t *pt = table(pte_paddr(pte));
    if (level > 1) {
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            free_subtree(pt[i], level - 1);
    }
    arch_pt_free_page(pte_paddr(pte));
}

void arch_pt_destroy(struct arch_pagetable *pt) {
    ASSERT(pt != &kernel_pt && pt->root);
    uint64_t *root = table(pt->root);
    // Only the user range belongs to this table; the rest is the kernel's.
    for (unsigned i = USER_ROOT_FIRST; i <= USER_ROOT_LAST; i++)
        free_subtree(root[i], 2);
    arch_pt_free_page(pt->root);
    pt->root = 0;
}

int arch_pt_map(struct arch_pagetable *pt, vaddr_t va, paddr_t pa, unsigned prot) {
    if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(pa, PAGE_SIZE) || !va_in_range(va) ||
        !(prot & (ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_EXEC)))
        return ERR_INVALID_ARG;
    // A user table owns only the user range (the rest is shared with the
    // kernel's), and the kernel's must not grow entries there. User pages and
    // only they carry U: S-mode can then never execute them (the ISA forbids
    // it whatever SUM says) nor read or write them (SUM stays off; the user
    // copies below go through the identity map).
    bool user_va = va >= USER_BASE && va < USER_END;
    bool user_pt = pt != &kernel_pt;
    if (user_va != user_pt || user_pt != !!(prot & ARCH_PROT_USER))
        return ERR_INVALID_ARG;
    int err = 0;
    uint64_t *pte = walk(pt->root, va, 0, true, &err);
    if (!pte)
        return err;
    if (*pte & PTE_V)
        return ERR_IN_USE;
    *pte = make_pte(pa, prot_to_pte(prot));
    // Implementations may cache invalid entries, so even a new mapping is fenced.
    sfence_va(va);
    return 0;
}

void arch_pt_unmap(struct arch_pagetable *pt, vaddr_t va) {
    int err;
    // As in arch_pt_map: a user table must not reach into the kernel's
    // shared tables, nor the kernel's into the user range.
    bool user_va = va >= USER_BASE && va < USER_END;
    if (!va_in_range(va) || user_va != (pt != &kernel_pt))
        return;
    uint64_t *pte = walk(pt->root, va, 0, false, &err);
    if (pte && (*pte & PTE_V)) {
        *pte = 0;
        sfence_va(va);
    }
    if (pt->copy_va == (va & ~(PAGE_SIZE - 1)))
        pt->copy_kva = NULL; // no copy goes to a page that is gone
}

bool arch_pt_lookup(struct arch_pagetable *pt, vaddr_t va, paddr_t *pa, unsigned *prot) {
    if (!va_in_range(va))
        return false;
    uint64_t *t = table(pt->root);
    for (int level = 2; level >= 0; level--) {
        uint64_t pte = t[VPN(va, level)];
        if (!(pte & PTE_V))
            return false;
        if (pte & PTE_LEAF) {
            if (pa)
                *pa = pte_paddr(pte) + (va & (LEVEL_SIZE(level) - 1));
            if (prot)
                *prot = pte_to_prot(pte);
            return true;
        }
        t = table(pte_paddr(pte));
    }
    return false;
}

// ---- copies between the kernel and user memory -----------------------------
//
// The kernel never sets sstatus.SUM, so it cannot touch a user page through
// its user address at all. A copy looks each user page up in the page table
// in satp (the calling process's: copies run in its syscalls) and reaches it
// through the kernel's identity map of RAM. Setting SUM around each copy, the
// other way, costs QEMU a whole TLB flush per change of SUM: user-mode
// networking ran at half the speed of the other arches.

// The page table in satp (arch_switch_pagetable), whose user pages copies reach.
static struct arch_pagetable *active_pt = &kernel_pt;

// The kernel's pointer to user byte `va` if its page is mapped for the user
// with the PTE bits `need` (PTE_R or PTE_R | PTE_W) in the active table, else
// NULL. The page found is remembered in the table (most copies of a process
// go through the same page again: its message buffer) until it is unmapped.
static uint8_t *user_byte(vaddr_t va, uint64_t need) {
    struct arch_pagetable *pt = active_pt;
    vaddr_t page = va & ~(PAGE_SIZE - 1);
    if (!pt->copy_kva || pt->copy_va != page) {
        // User pages are single pages (arch_pt_map): a leaf above level 0 is
        // none of the user's.
        uint64_t pte = 0, *t = table(pt->root);
        for (int level = 2; level >= 0; level--) {
            pte = t[VPN(va, level)];
            if (!(pte & PTE_V) || ((pte & PTE_LEAF) && level > 0))
                return NULL;
            t = table(pte_paddr(pte));
        }
        if (!(pte & PTE_LEAF))
            return NULL;
        pt->copy_va = page;
        pt->copy_pte = pte;
        pt->copy_kva = (uint8_t *)table(pte_paddr(pte));
    }
    if ((pt->copy_pte & (PTE_U | need)) != (PTE_U | need))
        return NULL;
    return pt->copy_kva + (va - page);
}

// Copies len bytes between kbuf and user memory at va (to the user if
// `to_user`), or, if any byte of the range is not the user's with `need`,
// copies nothing and returns ERR_BAD_ADDR.
static int user_copy(uint8_t *kbuf, vaddr_t va, size_t len, uint64_t need, bool to_user) {
    if (len == 0)
        return 0;
    if (va < USER_BASE || va + len < va || va + len > USER_END)
        return ERR_BAD_ADDR;
    // Every page first, so that a bad one leaves nothing half copied.
    uint8_t *first = user_byte(va, need);
    if (!first)
        return ERR_BAD_ADDR;
    for (vaddr_t page = (va & ~(PAGE_SIZE - 1)) + PAGE_SIZE; page < va + len; page += PAGE_SIZE) {
        if (!user_byte(page, need))
            return ERR_BAD_ADDR;
    }
    for (uint8_t *user = first;; user = user_byte(va, need)) {
        size_t n = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
        if (to_user)
            memcpy(user, kbuf, n);
        else
            memcpy(kbuf, user, n);
        if (n == len)
            return 0;
        kbuf += n;
        va += n;
        len -= n;
    }
}

// The kernel's address of [va, va + len) if it lies in the page the last copy
// went through, with the PTE bits `need`; else NULL (user_copy finds out).
static inline uint8_t *user_range_remembered(vaddr_t va, size_t len, uint64_t need) {
    const struct arch_pagetable *pt = active_pt;
    vaddr_t off = va - pt->copy_va;
    if (pt->copy_kva && off < PAGE_SIZE && len <= PAGE_SIZE - off &&
        (pt->copy_pte & (PTE_U | need)) == (PTE_U | need))
        return pt->copy_kva + off;
    return NULL;
}

int arch_copy_from_user(void *dst, const void *usrc, size_t len) {
    uint8_t *src = user_range_remembered((vaddr_t)usrc, len, PTE_R);
    if (!src)
        return user_copy(dst, (vaddr_t)usrc, len, PTE_R, false);
    memcpy(dst, src, len);
    return 0;
}

int arch_copy_to_user(void *udst, const void *src, size_t len) {
    uint8_t *dst = user_range_remembered((vaddr_t)udst, len, PTE_R | PTE_W);
    if (!dst)
        return user_copy((uint8_t *)src, (vaddr_t)udst, len, PTE_R | PTE_W, true);
    memcpy(dst, src, len);
    return 0;
}

void arch_switch_pagetable(struct arch_pagetable *pt) {
    active_pt = pt;
    uint64_t satp = SATP_SV39 | (pt->root >> 12);
    if (csr_read(satp) == satp)
        return;
    // No ASIDs: every switch flushes the whole TLB.
    csr_write(satp, satp);
    sfence_all();
}

bool riscv64_mmu_readable(vaddr_t va) {
    unsigned prot;
    return arch_pt_lookup(&kernel_pt, va, NULL, &prot) && (prot & ARCH_PROT_READ) &&
           !(prot & ARCH_PROT_USER);
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
