// SPDX-License-Identifier: MIT
// riscv64 trap handling: dispatches interrupts, system calls and faults, and dumps state on a kernel fault.
#include <stddef.h>
#include "riscv64.h"

#define BACKTRACE_MAX 32

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap.S's FRAME_SIZE");
_Static_assert(offsetof(struct trap_frame, sp) == 2 * 8, "trap.S stores x2 at 2*8");
_Static_assert(offsetof(struct trap_frame, a0) == 10 * 8, "trap.S stores x10 at 10*8");
_Static_assert(offsetof(struct trap_frame, t6) == 31 * 8, "trap.S stores x31 at 31*8");
_Static_assert(offsetof(struct trap_frame, sepc) == 32 * 8, "trap.S stores sepc at 32*8");
_Static_assert(offsetof(struct trap_frame, stval) == 35 * 8, "trap.S stores stval at 35*8");

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

// Walks frame records from `fp`: with -fno-omit-frame-pointer, fp[-1] is
// the return address and fp[-2] the caller's fp. Stops at fp 0, at anything
// the kernel cannot read, or when the chain does not go up the stack.
static void backtrace_from(uint64_t fp, int first) {
    for (int i = first; i < BACKTRACE_MAX && fp; i++) {
        if (!IS_ALIGNED(fp, 8) || fp < 16 || !riscv64_mmu_readable(fp - 16) ||
            !riscv64_mmu_readable(fp - 8))
            break;
        uint64_t ra = ((uint64_t *)fp)[-1], prev = ((uint64_t *)fp)[-2];
        if (!ra)
            break;
        kprintf("  #%d 0x%016lx\n", i, ra);
        if (prev <= fp)
            break;
        fp = prev;
    }
}

void arch_backtrace(void) {
    kprintf("backtrace:\n");
    backtrace_from((uint64_t)__builtin_frame_address(0), 0);
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
    backtrace_from(f->s0, 1);
}

// Where a kernel thread lands if its entry function returns (trap.S sets ra).
void riscv64_thread_returned(void) {
    panic("riscv64: a kernel thread returned from its entry function");
}

static void handle_exception(struct trap_frame *f, bool from_user) {
    uint64_t cause = f->scause;
    if (cause == EXC_ECALL_U) {
        // Past the ecall first: the call may switch threads and resume later.
        f->sepc += 4;
        f->a0 = (uint64_t)syscall_dispatch((int64_t)f->a0, (int64_t)f->a1, (int64_t)f->a2,
                                           (int64_t)f->a3, (int64_t)f->a4, (int64_t)f->a5,
                                           (int64_t)f->a7);
        return;
    }
    bool page_fault = cause == EXC_INST_PAGE_FAULT || cause == EXC_LOAD_PAGE_FAULT ||
                      cause == EXC_STORE_PAGE_FAULT;
    if (!from_user && page_fault && riscv64_mmu_sync_kernel(f->stval))
        return; // a kernel map table this page table had not seen yet: retry
    if (from_user) {
        fault_handle(true, f->sepc, f->stval, cause_name(cause));
        return;
    }
    kprintf("\n*** kernel fault: %s at pc %#lx, address %#lx\n", cause_name(cause), f->sepc,
            f->stval);
    riscv64_dump_frame(f);
    fault_handle(false, f->sepc, f->stval, cause_name(cause));
    arch_shutdown(1); // fault_handle panics on a kernel fault; never resume
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
