// SPDX-License-Identifier: MIT
// riscv64 trap handling: dispatches interrupts, system calls and faults, and dumps state on a kernel fault.
#include <stddef.h>
#include "riscv64.h"
#include "../../core/trapdump.h"

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap.S's FRAME_SIZE");
_Static_assert(offsetof(struct trap_frame, sp) == 2 * 8, "trap.S stores x2 at 2*8");
_Static_assert(offsetof(struct trap_frame, a0) == 10 * 8, "trap.S stores x10 at 10*8");
_Static_assert(offsetof(struct trap_frame, t6) == 31 * 8, "trap.S stores x31 at 31*8");
_Static_assert(offsetof(struct trap_frame, sepc) == 32 * 8, "trap.S stores sepc at 32*8");
_Static_assert(offsetof(struct trap_frame, stval) == 35 * 8, "trap.S stores stval at 35*8");
_Static_assert(ERR_BAD_SYSCALL == -16, "trap.S returns -16 for ERR_BAD_SYSCALL");

static const char *const exception_names[] = {
    [0] = "instruction address misaligned",
    [1] = "instruction access fault",
    [2] = "illegal instruction",
    [3] = "breakpoint",
    [4] = "load address misaligned",
    [5] = "load access fault",
    [6] = "store address misaligned",
    [7] = "store access fault",
    [8] = "ecall from U-mode",
    [9] = "ecall from S-mode",
    [12] = "instruction page fault",
    [13] = "load page fault",
    [15] = "store page fault",
};

static const char *cause_name(uint64_t scause) {
    if (scause & SCAUSE_INTERRUPT) {
        switch (scause & ~SCAUSE_INTERRUPT) {
        case 1: return "software interrupt";
        case IRQ_S_TIMER: return "timer interrupt";
        case IRQ_S_EXTERNAL: return "external interrupt";
        default: return "unknown interrupt";
        }
    }
    if (scause < ARRAY_SIZE(exception_names) && exception_names[scause])
        return exception_names[scause];
    return "unknown exception";
}

static void dump_frame(const void *f) {
    riscv64_dump_frame(f);
}

void arch_backtrace(void) {
    kprintf("backtrace:\n");
    // With -fno-omit-frame-pointer, fp[-1] is the return address and fp[-2] the caller's fp.
    trapdump_backtrace((uint64_t)__builtin_frame_address(0), 0, -16, riscv64_mmu_readable);
}

void riscv64_dump_frame(const struct trap_frame *f) {
    static const char *const names[32] = {
        "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
        "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
        "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };
    const uint64_t *regs = (const uint64_t *)f;
    kprintf("scause  0x%016lx (%s)\nsepc    0x%016lx  stval 0x%016lx  sstatus 0x%016lx\n",
            f->scause, cause_name(f->scause), f->sepc, f->stval, f->sstatus);
    for (int i = 1; i < 32; i++)
        kprintf("%-4s 0x%016lx%s", names[i], regs[i], i % 4 == 3 ? "\n" : "  ");
    kprintf("\nbacktrace:\n  #0 0x%016lx (sepc)\n", f->sepc);
    trapdump_backtrace(f->s0, 1, -16, riscv64_mmu_readable);
}

// Where a kernel thread lands if its entry function returns (trap.S sets ra).
void riscv64_thread_returned(void) {
    panic("riscv64: a kernel thread returned from its entry function");
}

// Whether trap.S put frame f on the emergency trap stack: it does for a load
// or store fault within a page of the interrupted sp, a stack overflow.
static bool on_trap_stack(const struct trap_frame *f) {
    extern char riscv64_trap_stack[], riscv64_trap_stack_top[];
    return (uintptr_t)f >= (uintptr_t)riscv64_trap_stack &&
           (uintptr_t)f < (uintptr_t)riscv64_trap_stack_top;
}

// Syscalls (ecall from U-mode) never come here: trap.S handles them itself.
static void handle_exception(struct trap_frame *f, bool from_user) {
    uint64_t cause = f->scause;
    if (from_user)
        trapdump_user_fault(f->sepc, f->stval, cause_name(cause));
    extern char riscv64_probe_insn[];
    if (cause == EXC_ILLEGAL_INST && f->sepc == (uint64_t)riscv64_probe_insn) {
        f->a0 = 0; // the probed CSR is not there
        f->sepc += 4;
        return;
    }
    const char *desc = on_trap_stack(f) ? "kernel stack overflow" : cause_name(cause);
    trapdump_kernel_fault(desc, "pc", f->sepc, f->stval, dump_frame, f);
}

void riscv64_trap(struct trap_frame *f) {
    bool from_user = !(f->sstatus & SSTATUS_SPP);
    if (!(f->scause & SCAUSE_INTERRUPT)) {
        handle_exception(f, from_user);
        return;
    }
    // Interrupts never nest: SIE stays 0 until sret restores it from SPIE.
    switch (f->scause & ~SCAUSE_INTERRUPT) {
    case IRQ_S_TIMER:
        riscv64_timer_interrupt();
        break;
    case IRQ_S_EXTERNAL:
        riscv64_external_interrupt();
        break;
    default:
        kprintf("riscv64: unexpected %s (scause %#lx)\n", cause_name(f->scause), f->scause);
        break;
    }
}
