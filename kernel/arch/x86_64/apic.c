// SPDX-License-Identifier: MIT
// x86_64 interrupt controllers and time: legacy PIC (masked), local APIC and its timer, I/O APICs, TSC clock calibrated on the PIT.
#include "x86_64.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

#define LAPIC_DEFAULT_BASE 0xfee00000ul
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LAPIC_SVR_ENABLE 0x100
#define LVT_MASKED (1u << 16)
#define TIMER_DIV_16 0x3

// microvm's two I/O APICs: GSIs 0-23 and 24-47 (the second carries virtio-mmio).
#define IOAPIC0_BASE 0xfec00000ul
#define IOAPIC1_BASE 0xfec10000ul
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define RED_MASKED (1u << 16)
#define RED_LEVEL (1u << 15)

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182ul
#define CALIBRATE_PIT_TICKS 5966 // 5 ms
#define NS_PER_SEC 1000000000ul
#define TIMER_MAX_DELTA_NS (10 * NS_PER_SEC) // a later deadline gets an early, harmless interrupt

static volatile uint32_t *lapic;
struct ioapic {
    volatile uint32_t *base;
    unsigned first_gsi, pins;
};
static struct ioapic ioapics[2];
static int num_ioapics;
static uint32_t bsp_apic_id;
// Per GSI: a driver wants it (unmasked) / it fired and core has not completed
// it / level-triggered (set for the I/O APIC inputs above 15 and for virtio).
static bool gsi_enabled[GSI_MAX], gsi_in_service[GSI_MAX], gsi_level[GSI_MAX];

// Clock: ns = tsc * tsc_to_ns >> 32. Timer: ticks = ns * ns_to_apic >> 32.
static uint64_t tsc_to_ns, ns_to_apic;

static uint32_t lapic_read(unsigned reg) {
    return lapic[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t v) {
    lapic[reg / 4] = v;
}

void apic_eoi(void) {
    lapic_write(LAPIC_EOI, 0);
}

static uint32_t ioapic_read(struct ioapic *io, unsigned reg) {
    io->base[IOAPIC_REGSEL / 4] = reg;
    return io->base[IOAPIC_WIN / 4];
}

static void ioapic_write(struct ioapic *io, unsigned reg, uint32_t v) {
    io->base[IOAPIC_REGSEL / 4] = reg;
    io->base[IOAPIC_WIN / 4] = v;
}

static struct ioapic *ioapic_of(unsigned gsi, unsigned *pin) {
    for (int i = 0; i < num_ioapics; i++) {
        if (gsi >= ioapics[i].first_gsi && gsi < ioapics[i].first_gsi + ioapics[i].pins) {
            *pin = gsi - ioapics[i].first_gsi;
            return &ioapics[i];
        }
    }
    return NULL;
}

// Programs GSI `gsi` to VEC_GSI_BASE + gsi on the boot CPU, active high;
// edge-triggered unless gsi_level[] says otherwise.
static void ioapic_set(unsigned gsi, bool masked) {
    unsigned pin;
    struct ioapic *io = ioapic_of(gsi, &pin);
    if (!io)
        return;
    uint32_t low = (VEC_GSI_BASE + gsi) | (gsi_level[gsi] ? RED_LEVEL : 0) | (masked ? RED_MASKED : 0);
    ioapic_write(io, IOAPIC_REDTBL(pin) + 1, bsp_apic_id << 24);
    ioapic_write(io, IOAPIC_REDTBL(pin), low);
}

static void ioapic_probe(paddr_t base, unsigned first_gsi) {
    struct ioapic *io = &ioapics[num_ioapics];
    io->base = (volatile uint32_t *)base;
    uint32_t ver = ioapic_read(io, IOAPIC_VER);
    // Absent MMIO reads as 0 or all ones.
    if (ver == 0 || ver == 0xffffffff)
        return;
    io->first_gsi = first_gsi;
    io->pins = MIN(((ver >> 16) & 0xff) + 1, (unsigned)GSI_MAX - first_gsi);
    num_ioapics++;
    for (unsigned gsi = first_gsi; gsi < first_gsi + io->pins; gsi++) {
        gsi_level[gsi] = gsi >= 16; // ISA inputs are edge-triggered
        ioapic_set(gsi, true);
    }
}

static void pic_disable(void) {
    // Remap the 8259s away from the exception vectors, then mask every input.
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, VEC_PIC_BASE);
    outb(PIC2_DATA, VEC_PIC_BASE + 8);
    outb(PIC1_DATA, 4);
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, 1);
    outb(PIC2_DATA, 1);
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
}

void apic_init(void) {
    pic_disable();
    paddr_t base = rdmsr(MSR_APIC_BASE) & ~0xffful;
    if (base != LAPIC_DEFAULT_BASE)
        panic("x86_64: local APIC at %#lx, only %#lx is mapped", base, LAPIC_DEFAULT_BASE);
    lapic = (volatile uint32_t *)base;
    bsp_apic_id = lapic_read(LAPIC_ID) >> 24;
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
    ioapic_probe(IOAPIC0_BASE, 0);
    ioapic_probe(IOAPIC1_BASE, 24);
    apic_eoi(); // nothing should be in service, but make sure
}

// ---- clock and timer -----------------------------------------------------------

static uint16_t pit_read(void) {
    outb(PIT_CMD, 0x00); // latch channel 0
    uint16_t lo = inb(PIT_CH0);
    return lo | (uint16_t)(inb(PIT_CH0) << 8);
}

// Counts TSC and local APIC timer ticks over 5 ms of PIT time. The PIT's
// channel 0 runs as a free 16-bit down-counter (mode 2, period 55 ms; its
// IRQ is masked), read often enough that each step is below one period.
void apic_timer_calibrate(void) {
    outb(PIT_CMD, 0x34); // channel 0, lo/hi byte, mode 2, binary
    outb(PIT_CH0, 0xff);
    outb(PIT_CH0, 0xff);
    uint16_t prev = pit_read();
    lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
    uint64_t tsc0 = rdtsc();
    uint32_t apic0 = lapic_read(LAPIC_TIMER_CUR);
    uint64_t elapsed = 0, spins = 0;
    while (elapsed < CALIBRATE_PIT_TICKS) {
        uint16_t cur = pit_read();
        elapsed += (uint16_t)(prev - cur);
        prev = cur;
        if (++spins > 100000000 && elapsed == 0)
            break; // no PIT
    }
    uint64_t tsc1 = rdtsc();
    uint32_t apic1 = lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);
    uint64_t tsc_hz, apic_hz;
    if (elapsed >= CALIBRATE_PIT_TICKS) {
        tsc_hz = (tsc1 - tsc0) * PIT_HZ / elapsed;
        apic_hz = (uint64_t)(apic0 - apic1) * PIT_HZ / elapsed;
    } else {
        // QEMU's local APIC counts at 1 GHz before the divider; assume 1 GHz TSC.
        kprintf("x86_64: no PIT to calibrate against; assuming a 1 GHz TSC\n");
        tsc_hz = NS_PER_SEC;
        apic_hz = NS_PER_SEC / 16;
    }
    if (tsc_hz == 0 || apic_hz == 0)
        panic("x86_64: clock calibration failed (tsc %lu Hz, apic %lu Hz)", tsc_hz, apic_hz);
    tsc_to_ns = (NS_PER_SEC << 32) / tsc_hz;
    ns_to_apic = (apic_hz << 32) / NS_PER_SEC;
    kprintf("x86_64: TSC %lu kHz, APIC timer %lu kHz\n", tsc_hz / 1000, apic_hz / 1000);
}

uint64_t arch_now_ticks(void) {
    return rdtsc();
}

uint64_t arch_ticks_to_ns(uint64_t ticks) {
    return (uint64_t)(((unsigned __int128)ticks * tsc_to_ns) >> 32);
}

void arch_timer_set(uint64_t deadline_ns) {
    uint64_t now = arch_now_ns();
    uint64_t delta = deadline_ns > now ? MIN(deadline_ns - now, TIMER_MAX_DELTA_NS) : 0;
    // Round up (+1): the interrupt must not come before the deadline.
    uint64_t ticks = ((delta * ns_to_apic) >> 32) + 1;
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); // one-shot, unmasked
    lapic_write(LAPIC_TIMER_INIT, (uint32_t)MIN(ticks, 0xffffffffu));
}

void apic_timer_interrupt(void) {
    apic_eoi();
    timer_interrupt();
}

// ---- device interrupts ------------------------------------------------------------

void ioapic_set_level(unsigned gsi) {
    if (gsi < GSI_MAX)
        gsi_level[gsi] = true;
}

void ioapic_route_isa(unsigned gsi) {
    ioapic_set(gsi, false);
}

// A device IRQ: its input is masked until core completes it, and the local
// APIC gets its EOI now, so an IRQ a driver has not acked yet blocks
// neither the timer nor other devices.
void apic_device_interrupt(unsigned gsi) {
    if (x86_64_console_irq(gsi)) {
        apic_eoi();
        return;
    }
    ioapic_set(gsi, true);
    gsi_in_service[gsi] = true;
    apic_eoi();
    irq_interrupt(gsi);
}

void arch_irq_unmask(unsigned irq) {
    if (irq >= GSI_MAX)
        return;
    gsi_enabled[irq] = true;
    if (!gsi_in_service[irq])
        ioapic_set(irq, false);
}

void arch_irq_mask(unsigned irq) {
    if (irq >= GSI_MAX)
        return;
    gsi_enabled[irq] = false;
    ioapic_set(irq, true);
}

void arch_irq_complete(unsigned irq) {
    if (irq >= GSI_MAX)
        return;
    gsi_in_service[irq] = false;
    // A level-triggered input still asserted fires again right away.
    if (gsi_enabled[irq])
        ioapic_set(irq, false);
}

unsigned arch_irq_max(void) {
    unsigned max = 0;
    for (int i = 0; i < num_ioapics; i++)
        max = MAX(max, ioapics[i].first_gsi + ioapics[i].pins - 1);
    return max;
}
