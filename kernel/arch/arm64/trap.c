// SPDX-License-Identifier: MIT
// arm64 exception handling: dispatches interrupts, system calls and faults, and dumps state on a kernel fault.
#include <stddef.h>
#include "arm64.h"
#include "../../core/trapdump.h"

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap.S's FRAME_SIZE");
_Static_assert(offsetof(struct trap_frame, sp) == 31 * 8, "trap.S stores sp at 31*8");
_Static_assert(offsetof(struct trap_frame, elr) == 32 * 8, "trap.S stores ELR at 32*8");
_Static_assert(offsetof(struct trap_frame, esr) == 34 * 8, "trap.S stores ESR at 34*8");
_Static_assert(offsetof(struct arch_context, sp) == 12 * 8, "trap.S's arch_switch");
_Static_assert(offsetof(struct arch_context, fp) == 10 * 8, "trap.S's arch_switch");
_Static_assert(ERR_BAD_ADDR == -5, "usercopy.S returns -5 for ERR_BAD_ADDR");
_Static_assert(ERR_BAD_SYSCALL == -16, "trap.S returns -16 for ERR_BAD_SYSCALL");

static const char *const kind_names[] = {
    [TRAP_EL1_SYNC] = "synchronous exception at EL1",
    [TRAP_EL1_IRQ] = "IRQ at EL1",
    [TRAP_EL1_FIQ] = "FIQ at EL1",
    [TRAP_EL1_SERROR] = "SError at EL1",
    [TRAP_EL0_SYNC] = "synchronous exception at EL0",
    [TRAP_EL0_IRQ] = "IRQ at EL0",
    [TRAP_EL0_FIQ] = "FIQ at EL0",
    [TRAP_EL0_SERROR] = "SError at EL0",
    [TRAP_UNEXPECTED] = "exception from SP_EL0 or AArch32",
};

static const char *ec_name(uint64_t esr) {
    switch (esr >> 26) {
    case EC_UNKNOWN: return "undefined instruction";
    case 0x01: return "WFI/WFE trapped";
    case 0x07: return "FP/SIMD access (disabled)";
    case 0x0e: return "illegal execution state";
    case EC_SVC64: return "svc";
    case 0x16: return "hvc";
    case 0x17: return "smc";
    case 0x18: return "system register access trapped";
    case EC_IABT_LOWER: return "instruction abort from EL0";
    case EC_IABT_SAME: return "instruction abort";
    case 0x22: return "pc alignment fault";
    case EC_DABT_LOWER: return "data abort from EL0";
    case EC_DABT_SAME: return "data abort";
    case 0x26: return "sp alignment fault";
    case 0x2f: return "SError";
    case 0x3c: return "brk";
    default: return "unknown exception class";
    }
}

// A finer name for aborts: the kind of fault from ESR.ISS.DFSC/IFSC.
static const char *abort_name(uint64_t esr, bool data) {
    unsigned fsc = esr & 0x3f;
    bool write = data && (esr & (1u << 6));
    switch (fsc & 0x3c) {
    case 0x04: return write ? "write: translation fault" : data ? "read: translation fault" : "fetch: translation fault";
    case 0x08: return write ? "write: access flag fault" : "access flag fault";
    case 0x0c: return write ? "write: permission fault" : data ? "read: permission fault" : "fetch: permission fault";
    case 0x00: return "address size fault";
    default: return fsc == 0x21 ? "alignment fault" : "abort";
    }
}

static void dump_frame(const void *f) {
    arm64_dump_frame(f);
}

void arch_backtrace(void) {
    kprintf("backtrace:\n");
    // AAPCS64 frame records: fp[0] is the caller's fp, fp[1] the return address.
    trapdump_backtrace((uint64_t)__builtin_frame_address(0), 0, 0, arm64_mmu_readable);
}

void arm64_dump_frame(const struct trap_frame *f) {
    kprintf("esr  0x%016lx (%s)\nelr  0x%016lx  far 0x%016lx  spsr 0x%016lx\n", f->esr,
            ec_name(f->esr), f->elr, f->far, f->spsr);
    for (int i = 0; i < 31; i++)
        kprintf("x%-2d 0x%016lx%s", i, f->x[i], i % 4 == 3 ? "\n" : "  ");
    kprintf("sp  0x%016lx\nbacktrace:\n  #0 0x%016lx (elr)\n", f->sp, f->elr);
    trapdump_backtrace(f->x[29], 1, 0, arm64_mmu_readable);
}

// Where a kernel thread lands if its entry function returns (trap.S sets lr).
void arm64_thread_returned(void) {
    panic("arm64: a kernel thread returned from its entry function");
}

// Whether a kernel-mode data abort is an access of arch_copy_*_user to a bad
// user address, to be answered with ERR_BAD_ADDR instead of a panic.
static bool user_copy_fault(const struct trap_frame *f) {
    extern char arm64_user_copy_start[], arm64_user_copy_end[];
    return f->elr >= (uint64_t)arm64_user_copy_start && f->elr < (uint64_t)arm64_user_copy_end;
}

// Whether trap.S put frame f on the emergency trap stack: it does for a data
// abort at EL1 within a page of the interrupted sp, a stack overflow.
static bool on_trap_stack(const struct trap_frame *f) {
    extern char arm64_trap_stack[], arm64_trap_stack_top[];
    return (uintptr_t)f >= (uintptr_t)arm64_trap_stack &&
           (uintptr_t)f < (uintptr_t)arm64_trap_stack_top;
}

static void handle_sync(struct trap_frame *f, bool from_user) {
    uint64_t ec = f->esr >> 26;
    // An svc from EL0 never comes here: trap.S handles syscalls itself.
    if (!from_user && ec == EC_UNKNOWN && arm64_in_semihost) {
        f->elr += 4; // QEMU without -semihosting: the hlt is undefined; go on without it
        return;
    }
    bool data = ec == EC_DABT_LOWER || ec == EC_DABT_SAME;
    bool abort = data || ec == EC_IABT_LOWER || ec == EC_IABT_SAME;
    const char *desc = abort ? abort_name(f->esr, data) : ec_name(f->esr);
    vaddr_t addr = abort ? f->far : f->elr;
    if (from_user)
        trapdump_user_fault(f->elr, addr, desc);
    if (ec == EC_DABT_SAME && user_copy_fault(f)) {
        // The copy touches no stack: resuming at the fixup, which returns
        // ERR_BAD_ADDR, unwinds it completely.
        f->elr = (uint64_t)arm64_user_copy_fault;
        return;
    }
    if (on_trap_stack(f))
        desc = "kernel stack overflow";
    trapdump_kernel_fault(desc, "pc", f->elr, addr, dump_frame, f);
}

void arm64_trap(struct trap_frame *f, unsigned kind) {
    switch (kind) {
    case TRAP_EL1_SYNC:
    case TRAP_EL0_SYNC:
        handle_sync(f, kind == TRAP_EL0_SYNC);
        return;
    case TRAP_EL1_IRQ:
    case TRAP_EL0_IRQ:
        // Interrupts never nest: PSTATE.I stays set until the eret.
        arm64_irq_handle();
        return;
    default:
        break;
    }
    const char *what = kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "exception";
    if (kind == TRAP_EL0_FIQ || kind == TRAP_EL0_SERROR)
        trapdump_user_fault(f->elr, f->far, what);
    kprintf("\n*** kernel fault: unexpected %s at pc %#lx\n", what, f->elr);
    arm64_dump_frame(f);
    fault_handle(false, f->elr, f->far, what);
    arch_shutdown(1);
}
