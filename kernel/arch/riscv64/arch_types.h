// SPDX-License-Identifier: MIT
// The riscv64 shapes of the types arch.h names: what arch_switch saves and what a page table is.
#pragma once
#include <stdint.h>

#define ARCH_NAME "riscv64"

// The running thread is in tp (arch.h, arch_current): in the kernel and in
// in-kernel apps nothing else uses tp (no thread-local storage), and a trap
// from user mode, where tp is the app's, loads it from the top of the
// thread's kernel stack (trap.S; arch_context_init puts it there).
#define ARCH_CURRENT_IN_REGISTER
static inline void *arch_current(void) {
    void *thread;
    __asm__ volatile("mv %0, tp" : "=r"(thread));
    return thread;
}
static inline void arch_set_current(void *thread) {
    __asm__ volatile("mv tp, %0" : : "r"(thread) : "memory");
}

// What arch_switch saves: the callee-saved registers of the RISC-V calling
// convention. A new thread's context holds its start arguments in s0-s4 (see
// arch_context_init); its first arch_switch "returns" into a trampoline.
struct arch_context {
    uint64_t ra;
    uint64_t sp;
    uint64_t s[12]; // s0 (the frame pointer) .. s11
};

// An Sv39 page table, named by the physical address of its root page.
struct arch_pagetable {
    uint64_t root;
    // The user page a copy went through last (mmu.c, user_copy), if copy_kva
    // is set: its address, its PTE and the kernel's address of it.
    uint64_t copy_va, copy_pte;
    uint8_t *copy_kva;
};

// ELF facts the app loader checks (added by the lead for kernel/core/loader.c).
#define ARCH_ELF_MACHINE    243 // EM_RISCV
#define ARCH_ELF_R_RELATIVE 3   // R_RISCV_RELATIVE
