// SPDX-License-Identifier: MIT
// Host tests of the boot-time RAM and device bookkeeping every arch's boot code shares (kernel/core/bootmem.c).
// UNIT_SOURCES: kernel/core/bootmem.c kernel/drivers/fdt.c
#include "harness.h"
#include <string.h>
#include "bootmem.h"

#define MIB (1ul << 20)

static void expect_region(const struct boot_info *bi, int i, paddr_t base, uint64_t size) {
    EXPECT_LT(i, bi->num_mem);
    EXPECT_EQ(bi->mem[i].base, base);
    EXPECT_EQ(bi->mem[i].size, size);
}

TEST(add_ram_fills_then_refuses) {
    struct boot_info bi = {0};
    for (int i = 0; i < BOOT_MEM_REGIONS_MAX; i++)
        EXPECT_EQ(bootmem_add_ram(&bi, (paddr_t)i * 16 * MIB, MIB), 0);
    EXPECT_EQ(bi.num_mem, BOOT_MEM_REGIONS_MAX);
    EXPECT_EQ(bootmem_add_ram(&bi, 0x7000000000ul, MIB), ERR_FULL);
    EXPECT_EQ(bi.num_mem, BOOT_MEM_REGIONS_MAX);
    expect_region(&bi, BOOT_MEM_REGIONS_MAX - 1, (BOOT_MEM_REGIONS_MAX - 1) * 16 * MIB, MIB);
}

TEST(remove_ram_splits_a_region_around_a_hole) {
    struct boot_info bi = {0};
    bootmem_add_ram(&bi, 0x80000000, 128 * MIB);
    bootmem_remove_ram(&bi, 0x80000000 + 4 * MIB, 0x80000000 + 6 * MIB);
    EXPECT_EQ(bi.num_mem, 2);
    expect_region(&bi, 0, 0x80000000, 4 * MIB);
    expect_region(&bi, 1, 0x80000000 + 6 * MIB, 122 * MIB);
}

TEST(remove_ram_trims_the_ends_and_drops_empty_regions) {
    struct boot_info bi = {0};
    bootmem_add_ram(&bi, 0x1000000, 16 * MIB);
    bootmem_add_ram(&bi, 0x4000000, 16 * MIB);
    bootmem_add_ram(&bi, 0x8000000, 16 * MIB);
    // The start of the first, all of the second, the end of the third.
    bootmem_remove_ram(&bi, 0, 0x1000000 + MIB);
    bootmem_remove_ram(&bi, 0x3000000, 0x6000000);
    bootmem_remove_ram(&bi, 0x8000000 + 15 * MIB, 0x10000000);
    EXPECT_EQ(bi.num_mem, 1 + 1);
    // The first lost its start: what stays of it is the part above the hole,
    // appended after the others.
    expect_region(&bi, 0, 0x8000000, 15 * MIB);
    expect_region(&bi, 1, 0x1000000 + MIB, 15 * MIB);
}

TEST(remove_ram_spanning_several_regions_and_outside_any) {
    struct boot_info bi = {0};
    bootmem_add_ram(&bi, 0x1000000, 16 * MIB);
    bootmem_add_ram(&bi, 0x3000000, 16 * MIB);
    bootmem_remove_ram(&bi, 0x20000000, 0x30000000); // no RAM there: nothing changes
    EXPECT_EQ(bi.num_mem, 2);
    bootmem_remove_ram(&bi, 0x1000000 + 8 * MIB, 0x3000000 + 8 * MIB);
    EXPECT_EQ(bi.num_mem, 2);
    expect_region(&bi, 0, 0x1000000, 8 * MIB);
    expect_region(&bi, 1, 0x3000000 + 8 * MIB, 8 * MIB);
    // Empty and whole removals.
    bootmem_remove_ram(&bi, 0x1000000 + MIB, 0x1000000 + MIB);
    EXPECT_EQ(bi.num_mem, 2);
    bootmem_remove_ram(&bi, 0, ~0ul);
    EXPECT_EQ(bi.num_mem, 0);
}

TEST(remove_ram_with_no_free_slot_loses_ram_never_hands_out_the_hole) {
    struct boot_info bi = {0};
    for (int i = 0; i < BOOT_MEM_REGIONS_MAX; i++)
        bootmem_add_ram(&bi, (paddr_t)(i + 1) * 16 * MIB, 8 * MIB);
    bootmem_remove_ram(&bi, 16 * MIB + MIB, 16 * MIB + 2 * MIB);
    EXPECT_EQ(bi.num_mem, BOOT_MEM_REGIONS_MAX);
    expect_region(&bi, 0, 16 * MIB, MIB);
    for (int i = 0; i < bi.num_mem; i++) {
        paddr_t b = bi.mem[i].base, e = b + bi.mem[i].size;
        EXPECT_TRUE(e <= 16 * MIB + MIB || b >= 16 * MIB + 2 * MIB);
    }
}

TEST(reserved_range_is_page_aligned_outward) {
    struct boot_info bi = {0};
    bootmem_set_reserved(&bi, 0x87e00123, 0x87e00123 + 0x1800);
    EXPECT_EQ(bi.reserved_start, 0x87e00000);
    EXPECT_EQ(bi.reserved_end, 0x87e02000);
}

TEST(kernel_overlapping_the_reserved_range_panics) {
    struct boot_info bi = {0};
    bootmem_set_kernel(&bi, 0x80200000, 0x80400000); // nothing reserved
    EXPECT_EQ(bi.kernel_start, 0x80200000);
    EXPECT_EQ(bi.kernel_end, 0x80400000);
    bootmem_set_reserved(&bi, 0x80400000, 0x80401000);
    bootmem_set_kernel(&bi, 0x80200000, 0x80400000); // touching is fine
    EXPECT_PANIC(bootmem_set_kernel(&bi, 0x80200000, 0x80400001));
    EXPECT_TRUE(strstr(host_panic_message, "ran into the device tree") != NULL);
}

TEST(add_device_fills_truncates_and_refuses) {
    struct boot_info bi = {0};
    EXPECT_EQ(bootmem_add_device(&bi, "virtio,mmio", 0x10001000, 0x1000, 1), 0);
    EXPECT_EQ(bi.num_devices, 1);
    EXPECT_STREQ(bi.devices[0].compatible, "virtio,mmio");
    EXPECT_EQ(bi.devices[0].base, 0x10001000);
    EXPECT_EQ(bi.devices[0].size, 0x1000);
    EXPECT_EQ(bi.devices[0].irq, 1);
    const char *long_name = "a-compatible-string-longer-than-the-field";
    EXPECT_EQ(bootmem_add_device(&bi, long_name, 0x10002000, 0x1000, 2), 0);
    EXPECT_EQ(strlen(bi.devices[1].compatible), sizeof(bi.devices[1].compatible) - 1);
    EXPECT_TRUE(memcmp(bi.devices[1].compatible, long_name, sizeof(bi.devices[1].compatible) - 1) == 0);
    while (bi.num_devices < BOOT_DEVICES_MAX)
        EXPECT_EQ(bootmem_add_device(&bi, "virtio,mmio", 0, 0, 3), 0);
    EXPECT_EQ(bootmem_add_device(&bi, "virtio,mmio", 0, 0, 4), ERR_FULL);
    EXPECT_EQ(bi.num_devices, BOOT_DEVICES_MAX);
}

// What bootmem_map_ranges asked the arch to map, in order.
static struct {
    paddr_t start, end;
    unsigned prot;
} maps[2048];
static int num_maps;

static void record_map(paddr_t start, paddr_t end, unsigned prot) {
    if (num_maps < 2048)
        maps[num_maps++] = (typeof(maps[0])){start, end, prot};
}

TEST(map_ranges_splits_the_kernel_window) {
    // RAM 0..64 MiB with the kernel at 3 MiB + 0x3000 .. 5 MiB + 0x1000 (text in its
    // first page), a 2 MiB window, and a device range far away.
    const unsigned rw = ARCH_PROT_READ | ARCH_PROT_WRITE;
    struct bootmem_range ranges[] = {{0, 64 * MIB, rw}, {256 * MIB, 4096, rw | ARCH_PROT_MMIO}};
    paddr_t kstart = 3 * MIB + 0x3000, kend = 5 * MIB + 0x1000;
    num_maps = 0;
    bootmem_map_ranges(ranges, 2, kstart, kend, 2 * MIB, kstart, kstart + 4096, record_map);
    // Below and above the window in one call each, then 4 KiB pages across it.
    EXPECT_EQ(maps[0].start, 0);
    EXPECT_EQ(maps[0].end, 2 * MIB);
    EXPECT_EQ(maps[1].start, 6 * MIB);
    EXPECT_EQ(maps[1].end, 64 * MIB);
    int pages = 0, exec = 0;
    for (int i = 2; i < num_maps && maps[i].start < 6 * MIB; i++) {
        EXPECT_EQ(maps[i].end - maps[i].start, 4096);
        pages++;
        if (maps[i].prot & ARCH_PROT_EXEC) {
            exec++;
            EXPECT_EQ(maps[i].start, kstart);
            EXPECT_EQ(maps[i].prot, ARCH_PROT_READ | ARCH_PROT_EXEC);
        } else {
            EXPECT_EQ(maps[i].prot, rw);
        }
    }
    EXPECT_EQ(pages, 1024); // the whole 4 MiB window
    EXPECT_EQ(exec, 1);
    // The device range is outside the window: one call with its own protection.
    EXPECT_EQ(maps[num_maps - 1].start, 256 * MIB);
    EXPECT_EQ(maps[num_maps - 1].prot, rw | ARCH_PROT_MMIO);
    EXPECT_EQ(num_maps, 2 + 1024 + 1);
}
