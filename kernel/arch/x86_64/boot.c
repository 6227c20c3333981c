// SPDX-License-Identifier: MIT
// x86_64 boot: reads the PVH start info (memory map, command line), builds the kernel map, starts the APICs, enters kernel_main.
#include <string.h>
#include "x86_64.h"
#include "../../core/bootmem.h"

#define HVM_START_MAGIC 0x336ec578
#define HVM_MEMMAP_RAM 1
#define LOW_MEM_END 0x100000 // firmware data and the start info live below 1 MiB
#define MMIO_START 0xfea00000ul // microvm: GED, virtio-mmio, I/O APICs, local APIC
#define MMIO_END 0xff000000ul
#define GED_SLEEP_CTL 0xfea00200ul // microvm's ACPI GED sleep control register
#define GED_SLEEP_S5 ((5 << 2) | (1 << 5)) // SLP_TYP = 5 (S5, power off), SLP_EN
#define DEBUG_EXIT_PORT 0xf4
#define SHUTDOWN_WAIT_NS 1000000000ul // for the GED power-off to take effect
#define SHUTDOWN_WAIT_SPINS 100000000ul
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_NB_CPUS 0x05
// microvm's virtio-mmio transports: fixed 512-byte slots from VIRTIO_MMIO_BASE.
#define VIRTIO_MMIO_BASE 0xfeb00000ul
#define VIRTIO_MMIO_SLOT_SIZE 512
#define VIRTIO_MMIO_MAGIC 0x74726976 // "virt"
#define MAP_RANGES_MAX (BOOT_MEM_REGIONS_MAX + 2)
#define CMDLINE_MAX 512

// Xen's PVH boot structures (xen/include/public/arch-x86/hvm/start_info.h).
struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
    uint64_t memmap_paddr; // version >= 1
    uint32_t memmap_entries, reserved;
};
struct hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

const char arch_name[] = ARCH_NAME;

static struct boot_info boot_info;
static struct bootmem_range map_ranges[MAP_RANGES_MAX];
static int num_map_ranges;
static char cmdline[CMDLINE_MAX];

void arch_console_write(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        // The terminal needs "\r\n"; the kernel writes "\n".
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}

bool x86_64_console_irq(unsigned gsi) {
    if (gsi != SERIAL_GSI)
        return false;
    for (int ch; (ch = serial_getc()) >= 0;)
        console_input((char)ch);
    return true;
}

// Success powers off through microvm's ACPI GED, which makes QEMU exit with
// status 0. Failure (and success where there is no GED) goes to
// isa-debug-exit, where QEMU exits with (value << 1) | 1: 1 for success
// without GED, 3 for failure.
void arch_shutdown(int code) {
    arch_irq_save();
    if (code == 0) {
        // QEMU acts on the power-off request from its main loop, a moment
        // later; isa-debug-exit would win the race, so give it time first.
        *(volatile uint8_t *)GED_SLEEP_CTL = GED_SLEEP_S5;
        // The spin bound covers a clock not calibrated yet (it reads 0).
        uint64_t start = arch_now_ns();
        for (uint64_t i = 0; i < SHUTDOWN_WAIT_SPINS && arch_now_ns() - start < SHUTDOWN_WAIT_NS; i++)
            __asm__ volatile("pause");
    }
    outl(DEBUG_EXIT_PORT, code == 0 ? 0 : 1);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void add_map_range(paddr_t base, uint64_t size, unsigned prot) {
    if (num_map_ranges == MAP_RANGES_MAX) {
        kprintf("x86_64: too many ranges to map, dropping %#lx\n", base);
        return;
    }
    map_ranges[num_map_ranges++] = (struct bootmem_range){base, size, prot};
}

// Reads RAM from the start info's memory map, page-aligned and without the
// first MiB (the firmware's; leaving it unmapped also catches NULL).
static void find_memory(const struct hvm_start_info *si) {
    if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
        panic("x86_64: the PVH start info has no memory map (version %u)", si->version);
    const struct hvm_memmap_entry *e = (const void *)si->memmap_paddr;
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
        if (e[i].type != HVM_MEMMAP_RAM)
            continue;
        paddr_t base = ALIGN_UP(MAX(e[i].addr, (uint64_t)LOW_MEM_END), PAGE_SIZE);
        paddr_t end = ALIGN_DOWN(e[i].addr + e[i].size, PAGE_SIZE);
        if (end > base)
            bootmem_add_ram(&boot_info, base, end - base);
    }
}

static void read_cmdline(const struct hvm_start_info *si) {
    if (!si->cmdline_paddr)
        return;
    const char *p = (const char *)si->cmdline_paddr;
    size_t n = 0;
    while (n < CMDLINE_MAX - 1 && p[n])
        n++;
    memcpy(cmdline, p, n);
    cmdline[n] = '\0';
}

// microvm announces its virtio-mmio transports in the ACPI DSDT (and, with
// acpi=off only, on the command line), but their place is fixed: with the
// second I/O APIC (the default) 24 slots wired to GSI 24 + slot, without it 8
// slots at GSI 5 + slot. Every slot that answers with the virtio magic is
// listed, empty ones too (device ID 0): drivers probe them. Needs the kernel
// map (uncached MMIO) and the I/O APICs probed.
static void find_devices(void) {
    bool ioapic2 = arch_irq_max() >= 47;
    unsigned slots = ioapic2 ? 24 : 8, irq_base = ioapic2 ? 24 : 5;
    for (unsigned i = 0; i < slots && boot_info.num_devices < BOOT_DEVICES_MAX; i++) {
        paddr_t base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SLOT_SIZE;
        if (*(volatile uint32_t *)arch_paddr_to_ptr(base) != VIRTIO_MMIO_MAGIC)
            continue;
        bootmem_add_device(&boot_info, "virtio,mmio", base, VIRTIO_MMIO_SLOT_SIZE, irq_base + i);
        ioapic_set_level(irq_base + i); // virtio-mmio holds its line until InterruptACK
    }
}

static int count_cpus(void) {
    // QEMU's fw_cfg knows the CPU count (no ACPI parsing needed for that).
    outw(FW_CFG_PORT_SEL, FW_CFG_NB_CPUS);
    int n = inb(FW_CFG_PORT_DATA);
    n |= inb(FW_CFG_PORT_DATA) << 8;
    return n > 0 && n < 0xffff ? n : 1;
}

void x86_64_boot(uint32_t start_info) {
    extern char __kernel_start[], __kernel_end[];
    serial_init();
    x86_64_cpu_init();
    const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;
    if (!si || si->magic != HVM_START_MAGIC)
        panic("x86_64: no PVH start info at %#x", start_info);
    read_cmdline(si);
    find_memory(si);
    boot_info.num_cpus = count_cpus();
    boot_info.dtb = NULL;
    for (int i = 0; i < boot_info.num_mem; i++)
        add_map_range(boot_info.mem[i].base, boot_info.mem[i].size,
                      ARCH_PROT_READ | ARCH_PROT_WRITE);
    add_map_range(MMIO_START, MMIO_END - MMIO_START,
                  ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_MMIO);

    // Page-table pages for the kernel map are placed right after the image
    // and become part of it, so core never hands them out.
    paddr_t next_free = (paddr_t)__kernel_end;
    x86_64_mmu_init(map_ranges, num_map_ranges, (paddr_t)__kernel_start, (paddr_t)__kernel_end,
                    &next_free);
    bootmem_set_kernel(&boot_info, (paddr_t)__kernel_start, next_free);

    apic_init();
    find_devices();
    apic_timer_calibrate();
    ioapic_route_isa(SERIAL_GSI);
    serial_set_rx_irq(true);
    if (cmdline[0])
        kprintf("x86_64: command line: %s\n", cmdline);
    kernel_main(&boot_info);
}
