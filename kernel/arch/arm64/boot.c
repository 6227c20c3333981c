// SPDX-License-Identifier: MIT
// arm64 boot: reads the device tree, finds RAM and devices, builds the kernel map, starts the GIC and timer, enters kernel_main.
#include <string.h>
#include "arm64.h"
#include "../../core/bootmem.h"
#include "../../drivers/gicv3.h"
#include "../../drivers/pl011.h"

#define DTB_MAX_SIZE (2u << 20) // the boot map covers it; QEMU's is a few KiB
#define MAP_RANGES_MAX 32
#define SEMIHOST_SYS_WRITEC 0x03
#define ID_PAN_SHIFT 20 // ID_AA64MMFR1_EL1.PAN

const char arch_name[] = ARCH_NAME;
struct fdt arm64_fdt;

static struct boot_info boot_info;
static struct pl011 uart;
static bool uart_ready;
static unsigned uart_irq;

static struct bootmem_range map_ranges[MAP_RANGES_MAX];
static int num_map_ranges;

static void early_putc(char ch) {
    // Before the UART is known: QEMU's semihosting console, if it is on.
    arm64_semihost(SEMIHOST_SYS_WRITEC, (uint64_t)&ch);
}

void arch_console_write(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        // The terminal needs "\r\n"; the kernel writes "\n".
        if (s[i] == '\n')
            uart_ready ? pl011_putc(&uart, '\r') : early_putc('\r');
        uart_ready ? pl011_putc(&uart, s[i]) : early_putc(s[i]);
    }
}

bool arm64_console_irq(unsigned irq) {
    if (!uart_ready || irq == 0 || irq != uart_irq)
        return false;
    for (int ch; (ch = pl011_getc(&uart)) >= 0;)
        console_input((char)ch);
    pl011_ack_rx(&uart);
    return true;
}

static void add_map_range(paddr_t base, uint64_t size, unsigned prot) {
    // Devices packed side by side (virt's 32 virtio-mmio slots share pages)
    // become one range with the one before.
    struct bootmem_range *last = num_map_ranges ? &map_ranges[num_map_ranges - 1] : NULL;
    if (last && last->prot == prot && base >= last->base &&
        base <= ALIGN_UP(last->base + last->size, PAGE_SIZE)) {
        last->size = MAX(last->size, base + size - last->base);
        return;
    }
    if (num_map_ranges == MAP_RANGES_MAX) {
        kprintf("arm64: too many ranges to map, dropping %#lx\n", base);
        return;
    }
    map_ranges[num_map_ranges++] = (struct bootmem_range){base, size, prot};
}

// Maps the i-th "reg" range of `node` as device memory; returns its physical
// base (0 if none) and its size in *size_out (if not NULL).
static paddr_t map_device(int node, int i, uint64_t *size_out) {
    uint64_t base, size;
    if (node < 0 || fdt_reg(&arm64_fdt, node, i, &base, &size) < 0 || size == 0)
        return 0;
    add_map_range(base, size, ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_MMIO);
    if (size_out)
        *size_out = size;
    return base;
}

static void find_cpus(void) {
    const struct fdt *f = &arm64_fdt;
    int cpus = fdt_find_path(f, "/cpus");
    boot_info.num_cpus = 0;
    for (int n = fdt_first_child(f, cpus); n >= 0; n = fdt_next_sibling(f, n)) {
        if (bootmem_fdt_device_type(f, n, "cpu"))
            boot_info.num_cpus++;
    }
}

static void init_console(void) {
    int node = fdt_find_compatible(&arm64_fdt, -1, "arm,pl011");
    paddr_t base = map_device(node, 0, NULL);
    if (!base)
        return; // semihosting's console stays in use
    // The boot map already covers the first GiB, where virt's devices are.
    pl011_init(&uart, (uintptr_t)arch_paddr_to_ptr(base));
    int64_t irq = fdt_irq(&arm64_fdt, node, 0);
    uart_irq = irq > 0 ? (unsigned)irq : 0;
    uart_ready = true;
}

// Starts the GIC (if the DTB has a GICv3) for this CPU; returns whether it did.
static bool init_gic(int gic, paddr_t gicd, paddr_t gicr, uint64_t gicr_size) {
    if (gic < 0 || !gicd || !gicr)
        return false;
    uint64_t mpidr = sysreg_read(mpidr_el1);
    uint32_t affinity = (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));
    uint64_t route = mpidr & 0xff00fffffful; // Aff3..Aff0 where GICD_IROUTER wants them
    if (gicv3_init((uintptr_t)arch_paddr_to_ptr(gicd), (uintptr_t)arch_paddr_to_ptr(gicr),
                   gicr_size, affinity, route) < 0) {
        kprintf("arm64: no GICv3 redistributor for this CPU (mpidr %#lx)\n", mpidr);
        return false;
    }
    return true;
}

static void init_pan(void) {
    // Privileged Access Never (ARMv8.1): the kernel faults on user pages
    // unless it means to touch them, which it does only with LDTR/STTR in
    // usercopy.S (PAN does not apply to them). SPAN = 0 sets PAN on every
    // exception, so it stays on whatever EL0 does.
    if (!((sysreg_read(id_aa64mmfr1_el1) >> ID_PAN_SHIFT) & 0xf))
        return;
    sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) & ~SCTLR_SPAN);
    sysreg_write(PAN_REG, PAN_BIT);
    isb();
    kprintf("arm64: PAN on\n");
}

void arm64_boot(paddr_t dtb) {
    extern char __kernel_start[], __kernel_end[];
    if (fdt_init(&arm64_fdt, arch_paddr_to_ptr(dtb), DTB_MAX_SIZE) < 0) {
        kprintf("arm64: no valid device tree at %#lx\n", dtb);
        arch_shutdown(1);
    }
    // PSCI first, so that even an early failure can power off.
    int psci = fdt_find_path(&arm64_fdt, "/psci");
    arm64_psci_init(psci >= 0 ? fdt_prop(&arm64_fdt, psci, "method", NULL) : NULL);
    init_console();

    bootmem_add_fdt_memory(&boot_info, &arm64_fdt);
    find_cpus();
    boot_info.dtb = arch_paddr_to_ptr(dtb);
    bootmem_set_reserved(&boot_info, dtb, dtb + arm64_fdt.size);
    for (int i = 0; i < boot_info.num_mem; i++)
        add_map_range(boot_info.mem[i].base, boot_info.mem[i].size,
                      ARCH_PROT_READ | ARCH_PROT_WRITE);

    int gic = fdt_find_compatible(&arm64_fdt, -1, "arm,gic-v3");
    uint64_t gicr_size = 0;
    paddr_t gicd = map_device(gic, 0, NULL), gicr = map_device(gic, 1, &gicr_size);
    int timer = fdt_find_compatible(&arm64_fdt, -1, "arm,armv8-timer");
    // Its interrupts are the secure, non-secure physical, virtual and hypervisor timers.
    int64_t vtimer_irq = timer >= 0 ? fdt_irq(&arm64_fdt, timer, 2) : -1;
    // Devices for drivers: mapped (uncached) in the direct map for core's
    // probe, and listed with their interrupt.
    for (int n = -1; (n = fdt_find_compatible(&arm64_fdt, n, "virtio,mmio")) >= 0;) {
        uint64_t size = 0;
        paddr_t base = map_device(n, 0, &size);
        int64_t irq = fdt_irq(&arm64_fdt, n, 0);
        if (base && irq > 0)
            bootmem_add_device(&boot_info, "virtio,mmio", base, size, (unsigned)irq);
    }

    // Table pages for the kernel map are placed right after the image and
    // become part of it, so core never hands them out.
    paddr_t kstart = arch_ptr_to_paddr(__kernel_start), kend = arch_ptr_to_paddr(__kernel_end);
    paddr_t next_free = kend;
    arm64_mmu_init(map_ranges, num_map_ranges, kstart, kend, &next_free);
    bootmem_set_kernel(&boot_info, kstart, next_free);
    init_pan();

    arm64_timer_init((int)vtimer_irq);
    bool have_gic = init_gic(gic, gicd, gicr, gicr_size);
    if (!have_gic)
        kprintf("arm64: no GICv3 found: no interrupts (timer and console input are off)\n");
    arm64_irq_init(have_gic);
    if (have_gic && uart_irq) {
        gicv3_enable(uart_irq);
        pl011_set_rx_irq(&uart, 1);
    }
    kernel_main(&boot_info);
}
