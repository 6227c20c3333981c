// SPDX-License-Identifier: MIT
// The arm64 shapes of the types arch.h names: what arch_switch saves and what a page table is.
#pragma once
#include <stdint.h>

#define ARCH_NAME "arm64"

// What arch_switch saves: the callee-saved registers of the AAPCS64 (x19-x28,
// the frame pointer x29, the link register x30) and sp. A new thread's
// context holds its start arguments in x19-x23 (see arch_context_init); its
// first arch_switch "returns" into a trampoline.
struct arch_context {
    uint64_t x19_x28[10];
    uint64_t fp; // x29
    uint64_t lr; // x30
    uint64_t sp;
};

// A 4-level, 4 KiB-granule translation table, named by the physical address
// of its level-0 page, and the ASID its user mappings are tagged with (0 for
// the kernel's table, which is installed in TTBR1).
struct arch_pagetable {
    uint64_t root;
    uint16_t asid;
};

// ELF facts the app loader checks.
#define ARCH_ELF_MACHINE    183  // EM_AARCH64
#define ARCH_ELF_R_RELATIVE 1027 // R_AARCH64_RELATIVE
