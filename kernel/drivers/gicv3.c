// SPDX-License-Identifier: MIT
// The ARM GICv3 distributor and redistributor: grouping, priority, routing and enable bits.
#include "gicv3.h"
#include "../../abi/error.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR(n) (0x0080 + 4 * ((n) / 32))
#define GICD_ISENABLER(n) (0x0100 + 4 * ((n) / 32))
#define GICD_ICENABLER(n) (0x0180 + 4 * ((n) / 32))
#define GICD_ICPENDR(n) (0x0280 + 4 * ((n) / 32))
#define GICD_ICACTIVER(n) (0x0380 + 4 * ((n) / 32))
#define GICD_IPRIORITYR(n) (0x0400 + (n))
#define GICD_ICFGR(n) (0x0c00 + 4 * ((n) / 16))
#define GICD_IROUTER(n) (0x6000 + 8 * (n))
#define GICD_CTLR_RWP (1u << 31)
// In both the single-security view and the non-secure view of a secure GIC,
// bit 1 enables (non-secure) group 1 and bit 4 turns on affinity routing.
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)

#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_CTLR_RWP (1u << 3)
#define GICR_TYPER_VLPIS (1u << 1)
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_FRAME_SIZE 0x20000 // RD_base and SGI_base, 64 KiB each
#define GICR_SGI 0x10000        // SGI_base: the SGI/PPI registers, laid out as GICD's
#define SPI_FIRST 32
#define IRQ_ID_MAX 1019 // 1020-1023 are special
#define PRIORITY 0xa0   // one priority for all: interrupts never preempt each other

static uintptr_t gicd_base, gicr_base;
static unsigned max_irq;

static volatile uint32_t *reg32(uintptr_t base, uint32_t off) {
    return (volatile uint32_t *)(base + off);
}

static void wait_gicd(void) {
    while (*reg32(gicd_base, GICD_CTLR) & GICD_CTLR_RWP)
        ;
}

static void wait_gicr(void) {
    while (*reg32(gicr_base, GICR_CTLR) & GICR_CTLR_RWP)
        ;
}

// The RD_base of the redistributor whose affinity is `affinity`, or 0.
static uintptr_t find_redistributor(uintptr_t gicr, uint64_t size, uint32_t affinity) {
    for (uint64_t off = 0; off + GICR_FRAME_SIZE <= size;) {
        uintptr_t rd = gicr + off;
        uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);
        if ((uint32_t)(typer >> 32) == affinity)
            return rd;
        if (typer & GICR_TYPER_LAST)
            break;
        // GICv4 redistributors have two more frames for virtual LPIs.
        off += (typer & GICR_TYPER_VLPIS) ? 2 * GICR_FRAME_SIZE : GICR_FRAME_SIZE;
    }
    return 0;
}

int gicv3_init(uintptr_t gicd, uintptr_t gicr, uint64_t gicr_size, uint32_t affinity,
               uint64_t route) {
    uintptr_t rd = find_redistributor(gicr, gicr_size, affinity);
    if (!rd)
        return ERR_NOT_FOUND;
    gicd_base = gicd;
    gicr_base = rd;

    *reg32(gicd, GICD_CTLR) = 0;
    wait_gicd();
    unsigned lines = 32 * ((*reg32(gicd, GICD_TYPER) & 0x1f) + 1);
    max_irq = lines - 1 > IRQ_ID_MAX ? IRQ_ID_MAX : lines - 1;
    for (unsigned n = SPI_FIRST; n <= max_irq; n += 32) {
        *reg32(gicd, GICD_ICENABLER(n)) = ~0u;
        *reg32(gicd, GICD_ICPENDR(n)) = ~0u;
        *reg32(gicd, GICD_ICACTIVER(n)) = ~0u;
        *reg32(gicd, GICD_IGROUPR(n)) = ~0u;
    }
    for (unsigned n = SPI_FIRST; n <= max_irq; n++) {
        *(volatile uint8_t *)(gicd + GICD_IPRIORITYR(n)) = PRIORITY;
        *(volatile uint64_t *)(gicd + GICD_IROUTER(n)) = route;
    }
    // Every SPI level-sensitive: the reset value is implementation defined,
    // and what the machine wires to SPIs (virtio-mmio, the PL011) holds its
    // line until the driver acknowledges the device. An edge-configured level
    // line would lose an interrupt that comes while the previous one is active.
    for (unsigned n = SPI_FIRST; n <= max_irq; n += 16)
        *reg32(gicd, GICD_ICFGR(n)) = 0;
    // ARE may only change while the groups are off.
    *reg32(gicd, GICD_CTLR) = GICD_CTLR_ARE;
    wait_gicd();
    *reg32(gicd, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1;
    wait_gicd();

    // The redistributor sleeps after reset until told this CPU is awake.
    *reg32(rd, GICR_WAKER) &= ~GICR_WAKER_SLEEP;
    while (*reg32(rd, GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
        ;
    uintptr_t sgi = rd + GICR_SGI;
    *reg32(sgi, GICD_ICENABLER(0)) = ~0u;
    *reg32(sgi, GICD_ICPENDR(0)) = ~0u;
    *reg32(sgi, GICD_ICACTIVER(0)) = ~0u;
    *reg32(sgi, GICD_IGROUPR(0)) = ~0u;
    for (unsigned n = 0; n < SPI_FIRST; n += 4)
        *reg32(sgi, GICD_IPRIORITYR(n)) = PRIORITY * 0x01010101u;
    wait_gicr();
    return 0;
}

static void set_enable(unsigned irq, bool on) {
    if (!gicd_base || irq > max_irq)
        return;
    if (irq < SPI_FIRST) {
        uintptr_t sgi = gicr_base + GICR_SGI;
        *reg32(sgi, on ? GICD_ISENABLER(irq) : GICD_ICENABLER(irq)) = 1u << (irq % 32);
        wait_gicr(); // a disable is only certain once RWP clears
    } else {
        *reg32(gicd_base, on ? GICD_ISENABLER(irq) : GICD_ICENABLER(irq)) = 1u << (irq % 32);
        wait_gicd();
    }
}

void gicv3_enable(unsigned irq) {
    set_enable(irq, true);
}

void gicv3_disable(unsigned irq) {
    set_enable(irq, false);
}

unsigned gicv3_max_irq(void) {
    return max_irq;
}
