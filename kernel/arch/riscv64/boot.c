// SPDX-License-Identifier: MIT
// riscv64 boot: reads the device tree, finds RAM and devices, turns on paging and interrupts, enters kernel_main.
#include <string.h>
#include "riscv64.h"
#include "../../core/bootmem.h"
#include "../../drivers/ns16550.h"
#include "../../drivers/plic.h"

#define DTB_MAX_SIZE (16u << 20) // a sanity bound on the header's totalsize
#define MAP_RANGES_MAX 32
#define SIFIVE_TEST_PASS 0x5555
#define SIFIVE_TEST_FAIL 0x3333

const char arch_name[] = ARCH_NAME;
struct fdt riscv64_fdt;
uint64_t riscv64_boot_hartid;

static struct boot_info boot_info;
static struct ns16550 uart;
static bool uart_ready;
static unsigned uart_irq;
static volatile uint32_t *test_device; // SiFive test finisher, NULL if absent

static struct bootmem_range map_ranges[MAP_RANGES_MAX];
static int num_map_ranges;

void arch_console_write(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        // The terminal needs "\r\n"; the kernel writes "\n".
        if (s[i] == '\n')
            uart_ready ? ns16550_putc(&uart, '\r') : riscv64_sbi_putchar('\r');
        uart_ready ? ns16550_putc(&uart, s[i]) : riscv64_sbi_putchar(s[i]);
    }
}

bool riscv64_console_irq(unsigned irq) {
    if (!uart_ready || irq == 0 || irq != uart_irq)
        return false;
    for (int ch; (ch = ns16550_getc(&uart)) >= 0;)
        console_input((char)ch);
    return true;
}

void arch_shutdown(int code) {
    arch_irq_save();
    if (test_device) {
        // QEMU exits with status 0 on PASS and with the upper 16 bits on FAIL.
        uint32_t status = (uint32_t)code & 0xffff;
        *test_device = code == 0 ? SIFIVE_TEST_PASS : ((status ? status : 1) << 16) | SIFIVE_TEST_FAIL;
    }
    riscv64_sbi_shutdown(code != 0);
    for (;;)
        __asm__ volatile("wfi");
}

static void add_map_range(paddr_t base, uint64_t size, unsigned prot) {
    if (num_map_ranges == MAP_RANGES_MAX) {
        kprintf("riscv64: too many ranges to map, dropping %#lx\n", base);
        return;
    }
    map_ranges[num_map_ranges++] = (struct bootmem_range){base, size, prot};
}

// Maps the first "reg" range of `node` as device memory; returns its base (0 if none).
static paddr_t map_device(int node) {
    uint64_t base, size;
    if (node < 0 || fdt_reg(&riscv64_fdt, node, 0, &base, &size) < 0 || size == 0)
        return 0;
    add_map_range(base, size, ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_MMIO);
    return base;
}

static bool has_device_type(int node, const char *type) {
    return bootmem_fdt_device_type(&riscv64_fdt, node, type);
}

// Counts the harts and returns the timebase frequency (0 if not given).
// Whether a riscv,isa string ("rv64imac_zicsr_sstc") names extension `ext`.
static bool isa_has(const char *isa, size_t len, const char *ext) {
    size_t n = strlen(ext);
    for (size_t i = 0; i + n + 1 <= len; i++) {
        if (isa[i] == '_' && strncmp(isa + i + 1, ext, n) == 0 &&
            (i + 1 + n == len || isa[i + 1 + n] == '_' || isa[i + 1 + n] == '\0'))
            return true;
    }
    return false;
}

// Counts the CPUs; returns the timebase and whether the boot hart has Sstc.
static uint64_t find_cpus(bool *sstc) {
    const struct fdt *f = &riscv64_fdt;
    int cpus = fdt_find_path(f, "/cpus");
    uint32_t hz = 0;
    fdt_prop_u32(f, cpus, "timebase-frequency", &hz);
    boot_info.num_cpus = 0;
    *sstc = false;
    for (int n = fdt_first_child(f, cpus); n >= 0; n = fdt_next_sibling(f, n)) {
        if (has_device_type(n, "cpu")) {
            boot_info.num_cpus++;
            if (!hz)
                fdt_prop_u32(f, n, "timebase-frequency", &hz);
            uint64_t hartid, unused;
            size_t len;
            const char *isa = fdt_prop(f, n, "riscv,isa", &len);
            if (isa && fdt_reg(f, n, 0, &hartid, &unused) == 0 && hartid == riscv64_boot_hartid)
                *sstc = isa_has(isa, len, "sstc");
        }
    }
    return hz;
}

// The PLIC context that delivers to our hart's S-mode: the position, in the
// PLIC's interrupts-extended, of <our hart's cpu-intc, 9 (S external)>.
static unsigned find_plic_context(int plic) {
    const struct fdt *f = &riscv64_fdt;
    unsigned fallback = 2 * (unsigned)riscv64_boot_hartid + 1; // QEMU virt: M, S per hart
    uint32_t intc_phandle = 0;
    int cpus = fdt_find_path(f, "/cpus");
    for (int n = fdt_first_child(f, cpus); n >= 0; n = fdt_next_sibling(f, n)) {
        uint64_t hartid, unused;
        if (!has_device_type(n, "cpu") || fdt_reg(f, n, 0, &hartid, &unused) < 0 ||
            hartid != riscv64_boot_hartid)
            continue;
        for (int c = fdt_first_child(f, n); c >= 0; c = fdt_next_sibling(f, c)) {
            if (fdt_is_compatible(f, c, "riscv,cpu-intc"))
                fdt_prop_u32(f, c, "phandle", &intc_phandle);
        }
    }
    size_t len;
    const uint8_t *p = fdt_prop(f, plic, "interrupts-extended", &len);
    if (!p || !intc_phandle)
        return fallback;
    // The cpu-intc has #interrupt-cells = 1, so entries are <phandle irq>.
    for (size_t i = 0; i + 8 <= len; i += 8) {
        if (fdt_be32(p + i) == intc_phandle && fdt_be32(p + i + 4) == IRQ_S_EXTERNAL)
            return (unsigned)(i / 8);
    }
    return fallback;
}

static void init_console(void) {
    int node = fdt_find_compatible(&riscv64_fdt, -1, "ns16550a");
    paddr_t base = map_device(node);
    if (!base)
        return; // SBI's console stays in use
    uint32_t shift = 0;
    fdt_prop_u32(&riscv64_fdt, node, "reg-shift", &shift);
    ns16550_init(&uart, base, shift);
    int64_t irq = fdt_irq(&riscv64_fdt, node, 0);
    uart_irq = irq > 0 ? (unsigned)irq : 0;
    uart_ready = true;
}

void riscv64_boot(uint64_t hartid, paddr_t dtb) {
    extern char __kernel_start[], __kernel_end[];
    riscv64_boot_hartid = hartid;
    csr_write(stvec, (uint64_t)riscv64_trap_entry);
    // The kernel and apps are built without floating point: with FS off, a
    // stray FP instruction traps instead of silently using unsaved registers.
    csr_clear(sstatus, SSTATUS_FS);
    // The kernel must not reach user memory through user addresses: SUM stays
    // off (the user copies go through the identity map, mmu.c), whatever the
    // firmware left.
    csr_clear(sstatus, SSTATUS_SUM);
    if (fdt_init(&riscv64_fdt, (const void *)dtb, DTB_MAX_SIZE) < 0) {
        kprintf("riscv64: no valid device tree at %#lx\n", dtb);
        arch_shutdown(1);
    }
    init_console();

    bootmem_add_fdt_memory(&boot_info, &riscv64_fdt);
    bool sstc;
    uint64_t timebase_hz = find_cpus(&sstc);
    boot_info.dtb = (const void *)dtb;
    bootmem_set_reserved(&boot_info, dtb, dtb + riscv64_fdt.size);
    for (int i = 0; i < boot_info.num_mem; i++)
        add_map_range(boot_info.mem[i].base, boot_info.mem[i].size,
                      ARCH_PROT_READ | ARCH_PROT_WRITE);

    int plic = fdt_find_compatible(&riscv64_fdt, -1, "riscv,plic0");
    paddr_t plic_base = map_device(plic);
    int test = fdt_find_compatible(&riscv64_fdt, -1, "sifive,test0");
    test_device = (volatile uint32_t *)map_device(test);
    // Devices that drivers will reach through the kernel's direct map.
    for (int n = -1; (n = fdt_find_compatible(&riscv64_fdt, n, "virtio,mmio")) >= 0;) {
        paddr_t base = map_device(n);
        uint64_t unused, size;
        int64_t irq = fdt_irq(&riscv64_fdt, n, 0);
        if (base && irq > 0 && fdt_reg(&riscv64_fdt, n, 0, &unused, &size) == 0)
            bootmem_add_device(&boot_info, "virtio,mmio", base, size, (unsigned)irq);
    }

    // Page-table pages for the kernel map are placed right after the image
    // and become part of it, so core never hands them out.
    paddr_t next_free = (paddr_t)__kernel_end;
    riscv64_mmu_init(map_ranges, num_map_ranges, (paddr_t)__kernel_start,
                     (paddr_t)__kernel_end, &next_free);
    bootmem_set_kernel(&boot_info, (paddr_t)__kernel_start, next_free);

    riscv64_timer_init(timebase_hz, sstc);
    if (plic_base) {
        uint32_t ndev = 0;
        fdt_prop_u32(&riscv64_fdt, plic, "riscv,ndev", &ndev);
        plic_init(plic_base, ndev, find_plic_context(plic));
        if (uart_irq) {
            plic_enable(uart_irq);
            ns16550_set_rx_irq(&uart, 1);
        }
    }
    // Interrupt sources on; delivery waits until someone sets sstatus.SIE.
    csr_write(sie, SIE_STIE | SIE_SEIE);
    kernel_main(&boot_info);
}
