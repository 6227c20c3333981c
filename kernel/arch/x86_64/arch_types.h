// SPDX-License-Identifier: MIT
// The x86_64 shapes of the types arch.h names: what arch_switch saves and what a page table is.
#pragma once
#include <stdint.h>

#define ARCH_NAME "x86_64"

// What arch_switch saves: the callee-saved registers of the System V ABI,
// the stack pointer and where to resume. A new thread's context holds its
// start arguments in rbx, r12-r15 (see arch_context_init) and resumes in
// x86_64_thread_start. kstack_top (0 for threads without a kernel stack) is
// what the TSS and the syscall entry switch to when the thread traps from user mode.
struct arch_context {
    uint64_t rsp, rip, rbx, rbp, r12, r13, r14, r15;
    uint64_t kstack_top;
};

// A 4-level page table, named by the physical address of its PML4.
struct arch_pagetable {
    uint64_t root;
};

// ELF facts the app loader checks.
#define ARCH_ELF_MACHINE    62 // EM_X86_64
#define ARCH_ELF_R_RELATIVE 8  // R_X86_64_RELATIVE
