// SPDX-License-Identifier: MIT
// Boot-time bookkeeping of struct boot_info shared by every arch's boot code: RAM regions, reserved ranges, devices.
#include "bootmem.h"
#include <string.h>
#include "../drivers/fdt.h"

int bootmem_add_ram(struct boot_info *bi, paddr_t base, uint64_t size) {
    if (bi->num_mem == BOOT_MEM_REGIONS_MAX) {
        kprintf("%s: too many memory regions, ignoring %#lx\n", arch_name, base);
        return ERR_FULL;
    }
    bi->mem[bi->num_mem].base = base;
    bi->mem[bi->num_mem].size = size;
    bi->num_mem++;
    return 0;
}

void bootmem_remove_ram(struct boot_info *bi, paddr_t start, paddr_t end) {
    if (start >= end)
        return; // an empty hole would split a region in two for nothing
    // Only the regions present on entry are cut: a part above the hole that
    // was appended here lies wholly above `end` and needs no cut.
    int count = bi->num_mem;
    for (int i = 0; i < count; i++) {
        paddr_t b = bi->mem[i].base, e = b + bi->mem[i].size;
        if (end <= b || start >= e)
            continue;
        // Keep the part below and the part above the hole.
        bi->mem[i].size = start > b ? start - b : 0;
        if (end < e)
            bootmem_add_ram(bi, end, e - end);
    }
    int n = 0;
    for (int i = 0; i < bi->num_mem; i++) {
        if (bi->mem[i].size)
            bi->mem[n++] = bi->mem[i];
    }
    bi->num_mem = n;
}

void bootmem_set_reserved(struct boot_info *bi, paddr_t start, paddr_t end) {
    bi->reserved_start = ALIGN_DOWN(start, PAGE_SIZE);
    bi->reserved_end = ALIGN_UP(end, PAGE_SIZE);
}

void bootmem_set_kernel(struct boot_info *bi, paddr_t start, paddr_t end) {
    bi->kernel_start = start;
    bi->kernel_end = end;
    if (end > bi->reserved_start && start < bi->reserved_end)
        panic("%s: boot page tables ran into the device tree", arch_name);
}

int bootmem_add_device(struct boot_info *bi, const char *compatible, paddr_t base,
                       uint64_t size, unsigned irq) {
    if (bi->num_devices >= BOOT_DEVICES_MAX)
        return ERR_FULL;
    struct boot_device *d = &bi->devices[bi->num_devices++];
    size_t n = strlen(compatible);
    if (n >= sizeof(d->compatible))
        n = sizeof(d->compatible) - 1;
    memcpy(d->compatible, compatible, n);
    d->compatible[n] = '\0';
    d->base = base;
    d->size = size;
    d->irq = irq;
    return 0;
}

bool bootmem_fdt_device_type(const struct fdt *f, int node, const char *type) {
    size_t len;
    const char *p = fdt_prop(f, node, "device_type", &len);
    return p && len == strlen(type) + 1 && memcmp(p, type, len) == 0;
}

void bootmem_add_fdt_memory(struct boot_info *bi, const struct fdt *f) {
    uint64_t base, size;
    for (int n = fdt_root(f); n >= 0; n = fdt_next_node(f, n, NULL)) {
        if (!bootmem_fdt_device_type(f, n, "memory"))
            continue;
        for (int i = 0; fdt_reg(f, n, i, &base, &size) == 0; i++) {
            if (size)
                bootmem_add_ram(bi, base, size);
        }
    }
    int rsv = fdt_find_path(f, "/reserved-memory");
    for (int n = rsv >= 0 ? fdt_first_child(f, rsv) : rsv; n >= 0; n = fdt_next_sibling(f, n)) {
        for (int i = 0; fdt_reg(f, n, i, &base, &size) == 0; i++)
            bootmem_remove_ram(bi, base, base + size);
    }
    for (int i = 0; fdt_mem_reserved(f, i, &base, &size) == 0; i++)
        bootmem_remove_ram(bi, base, base + size);
}

void bootmem_map_ranges(const struct bootmem_range *ranges, int n, paddr_t kstart, paddr_t kend,
                        uint64_t window, paddr_t text_start, paddr_t text_end,
                        void (*map)(paddr_t start, paddr_t end, unsigned prot)) {
    paddr_t win_start = ALIGN_DOWN(kstart, window), win_end = ALIGN_UP(kend, window);
    for (int i = 0; i < n; i++) {
        paddr_t b = ranges[i].base, e = ranges[i].base + ranges[i].size;
        if (e <= win_start || b >= win_end) {
            map(b, e, ranges[i].prot);
            continue;
        }
        if (b < win_start)
            map(b, win_start, ranges[i].prot);
        if (win_end < e)
            map(win_end, e, ranges[i].prot);
        for (paddr_t pa = MAX(b, win_start); pa < MIN(e, win_end); pa += PAGE_SIZE) {
            bool text = pa >= text_start && pa < text_end;
            map(pa, pa + PAGE_SIZE,
                text ? ARCH_PROT_READ | ARCH_PROT_EXEC : ARCH_PROT_READ | ARCH_PROT_WRITE);
        }
    }
}
