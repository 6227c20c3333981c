// SPDX-License-Identifier: MIT
// The RISC-V PLIC: per-IRQ priority, per-context enable bits, threshold and claim/complete.
#include "plic.h"

#define PLIC_PRIORITY(irq) (4u * (irq))
#define PLIC_ENABLE(ctx, irq) (0x2000u + 0x80u * (ctx) + 4u * ((irq) / 32))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx) (0x200004u + 0x1000u * (ctx))
#define PLIC_MAX_IRQ 1023 // the PLIC has at most 1023 sources

static uintptr_t plic_base;
static unsigned plic_ndev, plic_context;

static volatile uint32_t *reg(uint32_t off) {
    return (volatile uint32_t *)(plic_base + off);
}

void plic_init(uintptr_t base, unsigned ndev, unsigned context) {
    plic_base = base;
    plic_ndev = ndev > PLIC_MAX_IRQ ? PLIC_MAX_IRQ : ndev;
    plic_context = context;
    for (unsigned irq = 0; irq <= plic_ndev; irq += 32)
        *reg(PLIC_ENABLE(context, irq)) = 0;
    *reg(PLIC_THRESHOLD(context)) = 0;
}

static void set_enable(unsigned irq, int on) {
    if (!plic_base || irq == 0 || irq > plic_ndev)
        return;
    volatile uint32_t *en = reg(PLIC_ENABLE(plic_context, irq));
    uint32_t bit = 1u << (irq % 32);
    if (on) {
        *reg(PLIC_PRIORITY(irq)) = 1;
        *en |= bit;
    } else {
        *en &= ~bit;
    }
}

void plic_enable(unsigned irq) {
    set_enable(irq, 1);
}

void plic_disable(unsigned irq) {
    set_enable(irq, 0);
}

unsigned plic_claim(void) {
    return plic_base ? *reg(PLIC_CLAIM(plic_context)) : 0;
}

void plic_complete(unsigned irq) {
    if (plic_base && irq != 0 && irq <= plic_ndev)
        *reg(PLIC_CLAIM(plic_context)) = irq;
}

unsigned plic_max_irq(void) {
    return plic_ndev;
}
