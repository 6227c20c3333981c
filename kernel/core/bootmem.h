// SPDX-License-Identifier: MIT
// Boot-time bookkeeping of struct boot_info shared by every arch's boot code: RAM regions, reserved ranges, devices.
#pragma once
#include "common.h"

struct fdt;

// Appends [base, base + size) to the usable RAM. Returns 0, or ERR_FULL
// (with a console warning naming the region) when boot_info has no slot left;
// the region is then ignored.
int bootmem_add_ram(struct boot_info *bi, paddr_t base, uint64_t size);
// Takes [start, end) out of the usable RAM, splitting a region that holds the
// hole in its middle and dropping regions that become empty. A split that
// finds no free slot loses the part above the hole (with the warning of
// bootmem_add_ram): RAM may be lost, never a reserved range handed out. An
// empty range changes nothing.
void bootmem_remove_ram(struct boot_info *bi, paddr_t start, paddr_t end);
// Records [start, end) (e.g. the device tree blob) as reserved, widened to
// whole pages; core's page allocator leaves it alone.
void bootmem_set_reserved(struct boot_info *bi, paddr_t start, paddr_t end);
// Records the kernel image [start, end) (end includes the boot page tables
// placed after it). Panics if it overlaps the reserved range: the boot page
// tables would have overwritten the device tree.
void bootmem_set_kernel(struct boot_info *bi, paddr_t start, paddr_t end);
// Lists a device for drivers. Returns 0, or ERR_FULL when the list is full
// (the device is then not listed). `compatible` is truncated to fit.
int bootmem_add_device(struct boot_info *bi, const char *compatible, paddr_t base,
                       uint64_t size, unsigned irq);

// Whether device-tree `node` has device_type `type` ("memory", "cpu").
bool bootmem_fdt_device_type(const struct fdt *f, int node, const char *type);
// Adds the RAM of every device-tree memory node, then takes out what
// /reserved-memory and the blob's memory reservation block announce
// (firmware such as OpenSBI, or other owners).
void bootmem_add_fdt_memory(struct boot_info *bi, const struct fdt *f);

// A physical range the arch's boot page tables map, with ARCH_PROT_* bits.
struct bootmem_range {
    paddr_t base;
    uint64_t size;
    unsigned prot;
};
// Maps each range with map(start, end, prot) (the arch's boot page-table
// writer), except inside the window around the kernel image [kstart, kend)
// rounded out to `window` bytes: there it maps page by page, so that only
// [text_start, text_end) is executable and the rest is read-write.
void bootmem_map_ranges(const struct bootmem_range *ranges, int n, paddr_t kstart, paddr_t kend,
                        uint64_t window, paddr_t text_start, paddr_t text_end,
                        void (*map)(paddr_t start, paddr_t end, unsigned prot));
