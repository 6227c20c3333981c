// SPDX-License-Identifier: MIT
// arm64 translation tables: the kernel's TTBR1 direct map, kernel app mappings, and ASID-tagged user tables in TTBR0.
#include <string.h>
#include "../../core/bootmem.h"
#include "arm64.h"

#define DESC_VALID (1ul << 0)
#define DESC_TYPE_MASK 3ul
#define DESC_BLOCK 1ul // levels 1 and 2
#define DESC_TABLE 3ul // levels 0-2; at level 3 the same bits mean "page"
#define DESC_PAGE 3ul
#define DESC_ATTR_NORMAL (0ul << 2) // MAIR index 0 (boot.S)
#define DESC_ATTR_DEVICE (1ul << 2) // MAIR index 1
#define DESC_AP_EL0 (1ul << 6)      // EL0 may access
#define DESC_AP_RO (1ul << 7)
#define DESC_SH_INNER (3ul << 8)
#define DESC_AF (1ul << 10)
#define DESC_NG (1ul << 11) // not global: tagged with the ASID
#define DESC_PXN (1ul << 53)
#define DESC_UXN (1ul << 54)
#define DESC_ADDR_MASK 0x0000fffffffff000ul
#define PT_ENTRIES 512
#define LEVEL_SHIFT(level) (39 - 9 * (level)) // level 0: 512 GiB, 1: 1 GiB, 2: 2 MiB, 3: 4 KiB
#define LEVEL_SIZE(level) (1ul << LEVEL_SHIFT(level))
#define INDEX(va, level) (((va) >> LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))
#define TCR_AS (1ul << 36)
#define ASID_COUNT 65536
#define TLBI_VA(va) (((va) >> 12) & ((1ul << 44) - 1)) // VA[55:12], as TLBI operands take it

// The kernel's table: its root is TTBR1's (the direct map). kernel_low_root
// is the TTBR0 table installed while the kernel vmspace is active; it holds
// only the kernel map region, whose level-1 table every user table shares.
static struct arch_pagetable kernel_pt;
static paddr_t kernel_low_root;
#define KERNEL_MAP_L0 INDEX(KERNEL_MAP_BASE, 0)
// ASIDs of live user tables; 0 is kernel_low_root's, never handed out.
static uint64_t asid_used[ASID_COUNT / 64];
static unsigned asid_limit, asid_next = 1;

static uint64_t *table(paddr_t pa) {
    return arch_paddr_to_ptr(pa);
}

static bool is_kernel_va(vaddr_t va) {
    return va >= KERNEL_VBASE;
}

static bool is_kernel_map_va(vaddr_t va) {
    return va >= KERNEL_MAP_BASE && va < KERNEL_MAP_END;
}

// The table `va` belongs to in `pt`, or 0 if pt has no business with va.
static paddr_t root_for(struct arch_pagetable *pt, vaddr_t va) {
    if (pt == &kernel_pt) {
        if (is_kernel_va(va))
            return kernel_pt.root;
        return is_kernel_map_va(va) ? kernel_low_root : 0;
    }
    return va >= USER_BASE && va < USER_END ? pt->root : 0;
}

// The entry for `va` at `level` in the tree under `root`, creating missing
// tables if `alloc`. Returns NULL if a table could not be allocated
// (ERR_NO_MEMORY in *err) or a block covers va already (ERR_IN_USE), or if
// !alloc and a table is missing (ERR_NOT_FOUND).
static uint64_t *walk(paddr_t root, vaddr_t va, int level, bool alloc, int *err) {
    uint64_t *pt = table(root);
    for (int l = 0; l < level; l++) {
        uint64_t *d = &pt[INDEX(va, l)];
        if (*d & DESC_VALID) {
            if ((*d & DESC_TYPE_MASK) == DESC_BLOCK) {
                *err = ERR_IN_USE;
                return NULL;
            }
        } else {
            paddr_t page = alloc ? arch_pt_alloc_page() : 0;
            if (!page) {
                *err = alloc ? ERR_NO_MEMORY : ERR_NOT_FOUND;
                return NULL;
            }
            dsb(ishst); // the zeroed table before the pointer to it
            *d = page | DESC_TABLE;
        }
        pt = table(*d & DESC_ADDR_MASK);
    }
    return &pt[INDEX(va, level)];
}

// Descriptor attributes for ARCH_PROT_* bits. User pages are never
// executable at EL1 and kernel pages never at EL0.
static uint64_t prot_to_desc(unsigned prot) {
    uint64_t d = DESC_AF;
    d |= (prot & ARCH_PROT_MMIO) ? DESC_ATTR_DEVICE : DESC_ATTR_NORMAL | DESC_SH_INNER;
    if (!(prot & ARCH_PROT_WRITE))
        d |= DESC_AP_RO;
    if (prot & ARCH_PROT_USER) {
        d |= DESC_AP_EL0 | DESC_NG | DESC_PXN;
        if (!(prot & ARCH_PROT_EXEC))
            d |= DESC_UXN;
    } else {
        d |= DESC_UXN;
        if (!(prot & ARCH_PROT_EXEC) || (prot & ARCH_PROT_MMIO))
            d |= DESC_PXN;
    }
    return d;
}

static unsigned desc_to_prot(uint64_t d) {
    unsigned prot = ARCH_PROT_READ; // AArch64 has no unreadable valid pages
    if (!(d & DESC_AP_RO))
        prot |= ARCH_PROT_WRITE;
    if (d & DESC_AP_EL0)
        prot |= ARCH_PROT_USER;
    if (!(d & ((d & DESC_AP_EL0) ? DESC_UXN : DESC_PXN)))
        prot |= ARCH_PROT_EXEC;
    if ((d & (7ul << 2)) == DESC_ATTR_DEVICE)
        prot |= ARCH_PROT_MMIO;
    return prot;
}

// Maps [base, end) at KERNEL_VBASE + pa with the largest blocks alignment allows.
static void map_direct(paddr_t base, paddr_t end, uint64_t attrs) {
    paddr_t pa = ALIGN_DOWN(base, PAGE_SIZE);
    end = ALIGN_UP(end, PAGE_SIZE);
    while (pa < end) {
        int level = 1;
        while (level < 3 && (!IS_ALIGNED(pa, LEVEL_SIZE(level)) || end - pa < LEVEL_SIZE(level)))
            level++;
        int err = 0;
        uint64_t *d = walk(kernel_pt.root, KERNEL_VBASE + pa, level, true, &err);
        if (!d && err == ERR_NO_MEMORY)
            panic("arm64: out of boot page-table pages");
        // Overlapping ranges (a device listed twice) keep the first mapping.
        if (d && !(*d & DESC_VALID))
            *d = pa | attrs | (level == 3 ? DESC_PAGE : DESC_BLOCK);
        pa += LEVEL_SIZE(level);
    }
}

static void tlb_flush_all(void) {
    dsb(ishst);
    __asm__ volatile("tlbi vmalle1is" ::: "memory");
    dsb(ish);
    isb();
}

// bootmem_map_ranges' page-table writer.
static void map_boot_range(paddr_t start, paddr_t end, unsigned prot) {
    map_direct(start, end, prot_to_desc(prot));
}

void arm64_mmu_init(const struct bootmem_range *ranges, int n, paddr_t kstart, paddr_t kend,
                    paddr_t *next_free) {
    extern char __text_start[], __text_end[];
    arch_pt_boot_pages(next_free);
    kernel_pt.root = arch_pt_alloc_page();
    // The kernel map region's level-1 table exists from the start, so user
    // tables can share it by copying one entry and never fall out of step.
    kernel_low_root = arch_pt_alloc_page();
    table(kernel_low_root)[KERNEL_MAP_L0] = arch_pt_alloc_page() | DESC_TABLE;
    // Large pages for RAM; the kernel image's window page by page, so that
    // only its text is executable.
    bootmem_map_ranges(ranges, n, kstart, kend, LEVEL_SIZE(2), arch_ptr_to_paddr(__text_start),
                       arch_ptr_to_paddr(__text_end), map_boot_range);
    arch_pt_boot_pages(NULL);
    asid_limit = (sysreg_read(tcr_el1) & TCR_AS) ? ASID_COUNT : 256;
    // The boot map (1 GiB blocks, identity in TTBR0) goes; both tables map
    // the kernel alike, so the switch is safe while running from it.
    dsb(ishst);
    sysreg_write(ttbr1_el1, kernel_pt.root);
    sysreg_write(ttbr0_el1, kernel_low_root);
    isb();
    tlb_flush_all();
}

struct arch_pagetable *arch_kernel_pagetable(void) {
    return &kernel_pt;
}

static int asid_alloc(void) {
    for (unsigned i = 0; i < asid_limit; i++) {
        unsigned a = (asid_next + i) % asid_limit;
        if (a == 0 || (asid_used[a / 64] & (1ul << (a % 64))))
            continue;
        asid_used[a / 64] |= 1ul << (a % 64);
        asid_next = a + 1;
        return (int)a;
    }
    return ERR_NO_MEMORY;
}

int arch_pt_create(struct arch_pagetable *pt) {
    int asid = asid_alloc();
    if (asid < 0)
        return ERR_NO_MEMORY;
    paddr_t root = arch_pt_alloc_page();
    if (!root) {
        asid_used[asid / 64] &= ~(1ul << (asid % 64));
        return ERR_NO_MEMORY;
    }
    // The kernel lives in TTBR1; only the kernel map region is shared.
    table(root)[KERNEL_MAP_L0] = table(kernel_low_root)[KERNEL_MAP_L0];
    pt->root = root;
    pt->asid = (uint16_t)asid;
    return 0;
}

// Frees the tables below a table descriptor of `level` (not the mapped pages).
static void free_subtree(uint64_t d, int level) {
    if (!(d & DESC_VALID) || level == 3 || (d & DESC_TYPE_MASK) != DESC_TABLE)
        return;
    uint64_t *pt = table(d & DESC_ADDR_MASK);
    if (level < 2) {
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            free_subtree(pt[i], level + 1);
    }
    arch_pt_free_page(d & DESC_ADDR_MASK);
}

void arch_pt_destroy(struct arch_pagetable *pt) {
    ASSERT(pt != &kernel_pt && pt->root && pt->asid);
    uint64_t ttbr0 = sysreg_read(ttbr0_el1);
    if ((ttbr0 & DESC_ADDR_MASK) == pt->root)
        arch_switch_pagetable(&kernel_pt); // never walk a freed table
    uint64_t *root = table(pt->root);
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        if (i != KERNEL_MAP_L0) // the kernel's, shared
            free_subtree(root[i], 0);
    }
    arch_pt_free_page(pt->root);
    // The ASID may be reused: none of its TLB entries may outlive the table.
    dsb(ishst);
    __asm__ volatile("tlbi aside1is, %0" ::"r"((uint64_t)pt->asid << 48) : "memory");
    dsb(ish);
    isb();
    asid_used[pt->asid / 64] &= ~(1ul << (pt->asid % 64));
    pt->root = 0;
    pt->asid = 0;
}

int arch_pt_map(struct arch_pagetable *pt, vaddr_t va, paddr_t pa, unsigned prot) {
    if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(pa, PAGE_SIZE) || (pa & ~DESC_ADDR_MASK) ||
        !(prot & (ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_EXEC)))
        return ERR_INVALID_ARG;
    // A user table holds only the user range, the kernel's the upper half
    // and the kernel map region.
    // User pages, and only they, carry ARCH_PROT_USER (EL0 access).
    paddr_t root = root_for(pt, va);
    if (!root || (pt != &kernel_pt) != !!(prot & ARCH_PROT_USER))
        return ERR_INVALID_ARG;
    int err = 0;
    uint64_t *d = walk(root, va, 3, true, &err);
    if (!d)
        return err;
    if (*d & DESC_VALID)
        return ERR_IN_USE;
    // Kernel mappings are the same in every table: global, one TLB entry.
    uint64_t attrs = prot_to_desc(prot);
    if (pt != &kernel_pt)
        attrs |= DESC_NG;
    // Invalid entries are never cached in the TLB: no invalidation needed,
    // only the store made visible to the table walker.
    *d = pa | attrs | DESC_PAGE;
    dsb(ishst);
    isb();
    return 0;
}

void arch_pt_unmap(struct arch_pagetable *pt, vaddr_t va) {
    int err;
    bool kernel = pt == &kernel_pt;
    paddr_t root = root_for(pt, va);
    if (!root)
        return;
    uint64_t *d = walk(root, va, 3, false, &err);
    if (!d || !(*d & DESC_VALID))
        return;
    *d = 0;
    dsb(ishst);
    if (kernel) // global entries: every ASID
        __asm__ volatile("tlbi vaae1is, %0" ::"r"(TLBI_VA(va)) : "memory");
    else
        __asm__ volatile("tlbi vae1is, %0" ::"r"(TLBI_VA(va) | ((uint64_t)pt->asid << 48))
                         : "memory");
    dsb(ish);
    isb();
}

bool arch_pt_lookup(struct arch_pagetable *pt, vaddr_t va, paddr_t *pa, unsigned *prot) {
    paddr_t root = root_for(pt, va);
    if (!root && pt != &kernel_pt && is_kernel_map_va(va))
        root = pt->root; // the shared kernel map region is visible here too
    if (!root)
        return false;
    uint64_t *t = table(root);
    for (int level = 0; level <= 3; level++) {
        uint64_t d = t[INDEX(va, level)];
        if (!(d & DESC_VALID))
            return false;
        bool leaf = level == 3 || (d & DESC_TYPE_MASK) == DESC_BLOCK;
        if (leaf) {
            if (level == 0)
                return false; // no level-0 blocks with 4 KiB granules
            if (pa)
                *pa = (d & DESC_ADDR_MASK & ~(LEVEL_SIZE(level) - 1)) + (va & (LEVEL_SIZE(level) - 1));
            if (prot)
                *prot = desc_to_prot(d);
            return true;
        }
        t = table(d & DESC_ADDR_MASK);
    }
    return false;
}

void arch_switch_pagetable(struct arch_pagetable *pt) {
    // The kernel's table is always in TTBR1; "switching" to it puts its
    // kernel-map-only table (ASID 0) in TTBR0.
    uint64_t ttbr0 = pt == &kernel_pt ? kernel_low_root : pt->root | ((uint64_t)pt->asid << 48);
    if (sysreg_read(ttbr0_el1) == ttbr0)
        return;
    // ASIDs keep each table's TLB entries apart: no flush on a switch.
    sysreg_write(ttbr0_el1, ttbr0);
    isb();
}

bool arm64_mmu_readable(vaddr_t va) {
    unsigned prot;
    return arch_pt_lookup(&kernel_pt, va, NULL, &prot) && !(prot & ARCH_PROT_USER) &&
           !(prot & ARCH_PROT_MMIO);
}

void *arch_paddr_to_ptr(paddr_t pa) {
    return (void *)(pa + KERNEL_VBASE); // all RAM is in the TTBR1 direct map
}

paddr_t arch_ptr_to_paddr(const void *p) {
    return (paddr_t)p - KERNEL_VBASE;
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
