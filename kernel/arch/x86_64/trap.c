// SPDX-License-Identifier: MIT
// x86_64 trap handling: dispatches exceptions, interrupts and system calls, and dumps state on a kernel fault.
#include <stddef.h>
#include "x86_64.h"
#include "../../core/trapdump.h"

#define PF_USER (1u << 2)
#define VEC_DOUBLE_FAULT 8
// A double fault whose cr2 is this close to rsp (either side) is a stack overflow.
#define KSTACK_NEAR 4096

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap.S's frame layout");
_Static_assert(offsetof(struct trap_frame, rdi) == 9 * 8, "trap.S's TF_RDI");
_Static_assert(offsetof(struct trap_frame, rax) == 14 * 8, "trap.S's TF_RAX");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "trap.S's TF_RIP");
_Static_assert(offsetof(struct trap_frame, cs) == 18 * 8, "trap.S's TF_CS");
_Static_assert(offsetof(struct arch_context, r15) == 56, "trap.S's CTX_R15");
_Static_assert(offsetof(struct percpu, user_rsp) == 8, "trap.S's PERCPU_USER_RSP");
_Static_assert(ERR_BAD_ADDR == -5, "usercopy.S returns -5 for ERR_BAD_ADDR");
_Static_assert(ERR_BAD_SYSCALL == -16, "trap.S returns -16 for ERR_BAD_SYSCALL");

static const char *const exception_names[32] = {
    [0] = "divide error",
    [1] = "debug",
    [2] = "NMI",
    [3] = "breakpoint",
    [4] = "overflow",
    [5] = "bound range exceeded",
    [6] = "invalid opcode",
    [7] = "device not available",
    [8] = "double fault",
    [10] = "invalid TSS",
    [11] = "segment not present",
    [12] = "stack-segment fault",
    [13] = "general protection fault",
    [14] = "page fault",
    [16] = "x87 floating-point error",
    [17] = "alignment check",
    [18] = "machine check",
    [19] = "SIMD floating-point error",
    [20] = "virtualization exception",
    [21] = "control protection exception",
};

static const char *vector_name(uint64_t v) {
    if (v < 32)
        return exception_names[v] ? exception_names[v] : "reserved exception";
    if (v == VEC_TIMER)
        return "timer interrupt";
    if (v == VEC_SYSCALL)
        return "syscall";
    return "interrupt";
}

static void dump_frame(const void *f) {
    x86_64_dump_frame(f);
}

void arch_backtrace(void) {
    kprintf("backtrace:\n");
    // With -fno-omit-frame-pointer, fp[0] is the caller's fp and fp[1] the return address.
    trapdump_backtrace((uint64_t)__builtin_frame_address(0), 0, 0, x86_64_mmu_readable);
}

void x86_64_dump_frame(const struct trap_frame *f) {
    kprintf("vector %lu (%s), error %#lx, cr2 %#lx\n", f->vector, vector_name(f->vector),
            f->error, read_cr(2));
    kprintf("rip %016lx  cs %04lx  rflags %08lx  rsp %016lx  ss %04lx\n", f->rip, f->cs,
            f->rflags, f->rsp, f->ss);
    kprintf("rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("r13 %016lx  r14 %016lx  r15 %016lx  cr3 %016lx\n", f->r13, f->r14, f->r15,
            read_cr(3));
    kprintf("backtrace:\n  #0 0x%016lx (rip)\n", f->rip);
    if (!(f->cs & 3))
        trapdump_backtrace(f->rbp, 1, 0, x86_64_mmu_readable);
}

// Where a kernel thread lands if its entry function returns (trap.S pushes it).
void x86_64_thread_returned(void) {
    panic("x86_64: a kernel thread returned from its entry function");
}

// Whether a kernel-mode fault is an access of arch_copy_*_user to a bad user
// address, to be answered with ERR_BAD_ADDR instead of a panic.
static bool user_copy_fault(const struct trap_frame *f) {
    return f->vector == VEC_PAGE_FAULT && f->rip >= (uint64_t)x86_64_user_copy_start &&
           f->rip < (uint64_t)x86_64_user_copy_end;
}

// Whether a fault is a kernel-mode stack overflow. A page fault on the guard
// page below a ring-0 stack cannot be delivered (the CPU pushes its frame on
// that same stack), so it becomes a double fault, which runs on its own IST
// stack (cpu.c); cr2 is then the address of the failed push, next to rsp.
static bool stack_overflow(const struct trap_frame *f) {
    uint64_t cr2 = read_cr(2);
    return f->vector == VEC_DOUBLE_FAULT && cr2 - f->rsp + KSTACK_NEAR < 2 * KSTACK_NEAR;
}

static void handle_exception(struct trap_frame *f) {
    bool from_user = f->cs & 3;
    if (!from_user && user_copy_fault(f)) {
        f->rip = (uint64_t)x86_64_user_copy_fault;
        return;
    }
    // The faulting address for page faults; the instruction for everything else.
    vaddr_t addr = f->vector == VEC_PAGE_FAULT ? read_cr(2) : f->rip;
    const char *desc = vector_name(f->vector);
    if (!from_user && stack_overflow(f)) {
        desc = "kernel stack overflow";
        addr = read_cr(2);
    }
    if (from_user)
        trapdump_user_fault(f->rip, addr, desc);
    trapdump_kernel_fault(desc, "rip", f->rip, addr, dump_frame, f);
}

void x86_64_trap(struct trap_frame *f) {
    uint64_t v = f->vector;
    if (v < 32) {
        handle_exception(f);
        return;
    }
    // Interrupts never nest: IF stays 0 until iretq restores it.
    if (v == VEC_TIMER) {
        apic_timer_interrupt();
    } else if (v >= VEC_GSI_BASE && v < VEC_GSI_BASE + GSI_MAX) {
        apic_device_interrupt((unsigned)(v - VEC_GSI_BASE));
    } else if (v == VEC_SPURIOUS || (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16)) {
        // Spurious (local APIC, or the masked PICs' IRQ 7/15): no EOI.
    } else {
        kprintf("x86_64: unexpected vector %lu\n", v);
        apic_eoi();
    }
}

void x86_64_syscall_bad_return(uint64_t rip) __attribute__((noreturn)); // called by trap.S
void x86_64_syscall_bad_return(uint64_t rip) {
    // trap.S found the return address of a syscall outside the user range
    // (the guard page below USER_END should make that impossible).
    trapdump_user_fault(rip, rip, "syscall return address out of the user range");
}
