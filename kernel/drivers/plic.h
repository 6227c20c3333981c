// SPDX-License-Identifier: MIT
// The RISC-V platform-level interrupt controller (PLIC), driven for one context (one hart's S-mode).
#pragma once
#include <stdint.h>

// Takes the PLIC whose registers are at `base` (already mapped), with IRQs
// 1..ndev, on behalf of `context`: masks every IRQ for it and sets its
// priority threshold to 0 so that any enabled IRQ reaches it.
void plic_init(uintptr_t base, unsigned ndev, unsigned context);
// Gives `irq` priority 1 and enables it for our context / disables it.
// Out-of-range IRQs are ignored.
void plic_enable(unsigned irq);
void plic_disable(unsigned irq);
// The highest-priority pending IRQ, now in service, or 0 if there is none.
unsigned plic_claim(void);
// Ends service of a claimed IRQ, so that it can be delivered again.
void plic_complete(unsigned irq);
// The largest IRQ number (0 before plic_init).
unsigned plic_max_irq(void);
