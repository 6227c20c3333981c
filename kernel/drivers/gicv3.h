// SPDX-License-Identifier: MIT
// The ARM GICv3 distributor and redistributor (memory-mapped parts); the CPU interface is the arch's.
#pragma once
#include <stdbool.h>
#include <stdint.h>

// Takes the distributor at `gicd` and this CPU's redistributor, found in the
// region [gicr, gicr + gicr_size) by `affinity` (Aff3.Aff2.Aff1.Aff0, as in
// GICR_TYPER[63:32]); all mapped already. Masks every interrupt, makes every
// SPI level-sensitive, puts every one in group 1 at one priority, routes SPIs
// to `route` (a GICD_IROUTER value), wakes the redistributor and enables
// group 1 with affinity routing.
// Returns 0, or ERR_NOT_FOUND if no redistributor matches `affinity`.
int gicv3_init(uintptr_t gicd, uintptr_t gicr, uint64_t gicr_size, uint32_t affinity,
               uint64_t route);
// Enables / disables delivery of interrupt ID `irq` (SGIs and PPIs below 32
// through the redistributor, SPIs through the distributor). Out-of-range IDs
// are ignored.
void gicv3_enable(unsigned irq);
void gicv3_disable(unsigned irq);
// The largest SPI ID the distributor implements (0 before gicv3_init).
unsigned gicv3_max_irq(void);
