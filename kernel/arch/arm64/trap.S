// SPDX-License-Identifier: MIT
// The arm64 exception vectors, trap entry and exit, the context switch, and the first code a new thread runs.

#include "../../../abi/syscall.h"

#define FRAME_SIZE (36 * 8) // sizeof(struct trap_frame), see arm64.h
#define ERR_BAD_SYSCALL (-16) // abi/error.h (asserted in trap.c)
#define OFF_SP (31 * 8)
#define OFF_ELR (32 * 8)
#define OFF_SPSR (33 * 8)
#define OFF_ESR (34 * 8)
#define OFF_FAR (35 * 8)
// A data abort at EL1 this close to sp (either side) is a stack overflow.
#define KSTACK_NEAR 4096
#define TRAP_STACK_SIZE 8192 // for the report: kprintf, the dump, panic

// Stores (op = stp) or loads (op = ldp) x2-x29 at their places in the frame
// at sp (offset N*8 for xN).
.macro X2_TO_X29 op
    \op x2, x3, [sp, #2 * 8]
    \op x4, x5, [sp, #4 * 8]
    \op x6, x7, [sp, #6 * 8]
    \op x8, x9, [sp, #8 * 8]
    \op x10, x11, [sp, #10 * 8]
    \op x12, x13, [sp, #12 * 8]
    \op x14, x15, [sp, #14 * 8]
    \op x16, x17, [sp, #16 * 8]
    \op x18, x19, [sp, #18 * 8]
    \op x20, x21, [sp, #20 * 8]
    \op x22, x23, [sp, #22 * 8]
    \op x24, x25, [sp, #24 * 8]
    \op x26, x27, [sp, #26 * 8]
    \op x28, x29, [sp, #28 * 8]
.endm

// Saves x0-x30, the interrupted sp and the exception registers in a frame
// pushed on SP_EL1, then calls arm64_trap(frame, kind) and returns through
// trap_return. From EL0, SP_EL1 is the thread's empty kernel stack (see
// trap_return); from EL1 it is the interrupted stack, so a switch from
// inside the handler keeps the frame with the thread it belongs to.
.macro TRAP_ENTRY kind, from_el0
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp, #0 * 8]
    X2_TO_X29 stp
    .if \from_el0
    mrs x0, sp_el0
    .else
    add x0, sp, #FRAME_SIZE
    .endif
    stp x30, x0, [sp, #30 * 8]
    mrs x0, elr_el1
    mrs x1, spsr_el1
    stp x0, x1, [sp, #OFF_ELR]
    mrs x0, esr_el1
    mrs x1, far_el1
    stp x0, x1, [sp, #OFF_ESR]
    .if \from_el0
    mov x29, #0 // the user's frame chain is not the kernel's to follow
    .endif
    mov x0, sp
    mov x1, #\kind
    bl arm64_trap
    b arm64_trap_return
.endm

.macro VENTRY label
    .balign 0x80
    b \label
.endm

.section .text
// VBAR_EL1: 16 entries of 0x80 bytes, the table 2 KiB-aligned.
.balign 0x800
.global arm64_vectors
arm64_vectors:
    VENTRY el1t_any      // current EL with SP_EL0: the kernel never runs so
    VENTRY el1t_any
    VENTRY el1t_any
    VENTRY el1t_any
    VENTRY el1_sync      // current EL with SP_EL1: kernel and in-kernel apps
    VENTRY el1_irq
    VENTRY el1_fiq
    VENTRY el1_serror
    VENTRY el0_sync      // lower EL, AArch64: user-mode apps
    VENTRY el0_irq
    VENTRY el0_fiq
    VENTRY el0_serror
    VENTRY el0_32_any    // lower EL, AArch32: never enabled
    VENTRY el0_32_any
    VENTRY el0_32_any
    VENTRY el0_32_any

el1t_any:   TRAP_ENTRY 8, 0
el1_sync:
    // A data abort at EL1 within a page of sp is a stack overflow: the frame
    // must not go on that stack, or pushing it aborts again, forever. SP_EL0
    // is free at EL1 (every return to EL0 loads it from the frame), so it
    // holds x0 while x0 tells. Other exceptions pay these five instructions.
    msr sp_el0, x0
    mrs x0, esr_el1
    lsr x0, x0, #26
    cmp x0, #0x25 // EC_DABT_SAME
    b.eq el1_data_abort
el1_sync_frame:
    mrs x0, sp_el0
    TRAP_ENTRY 0, 0
el1_irq:    TRAP_ENTRY 1, 0
el1_fiq:    TRAP_ENTRY 2, 0
el1_serror: TRAP_ENTRY 3, 0
el0_sync:
    // An svc takes the syscall path below; anything else the full frame.
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp, #0 * 8]
    mrs x0, esr_el1
    lsr x0, x0, #26
    cmp x0, #0x15 // EC_SVC64
    b.eq el0_svc
    ldp x0, x1, [sp, #0 * 8]
    add sp, sp, #FRAME_SIZE
    TRAP_ENTRY 4, 1
el0_irq:    TRAP_ENTRY 5, 1
el0_fiq:    TRAP_ENTRY 6, 1
el0_serror: TRAP_ENTRY 7, 1
el0_32_any: TRAP_ENTRY 8, 1

el1_data_abort:
    mrs x0, far_el1
    sub x0, sp, x0
    add x0, x0, #KSTACK_NEAR
    cmp x0, #2 * KSTACK_NEAR
    b.hs el1_sync_frame // FAR - sp outside [-KSTACK_NEAR, KSTACK_NEAR)
    // Swap sp with the emergency stack's top, held in x0 (no third register:
    // x0 = top, sp += x0, x0 = sp - x0 = old sp, sp -= x0 = top). A nested
    // overflow while it is in use also starts at its top: trap.c then only
    // shuts down.
    adrp x0, arm64_trap_stack_top
    add x0, x0, :lo12:arm64_trap_stack_top
    add sp, sp, x0
    sub x0, sp, x0
    sub sp, sp, x0
    sub sp, sp, #FRAME_SIZE
    str x0, [sp, #OFF_SP]
    mrs x0, sp_el0
    stp x0, x1, [sp, #0 * 8]
    X2_TO_X29 stp
    str x30, [sp, #30 * 8]
    mrs x0, elr_el1
    mrs x1, spsr_el1
    stp x0, x1, [sp, #OFF_ELR]
    mrs x0, esr_el1
    mrs x1, far_el1
    stp x0, x1, [sp, #OFF_ESR]
    mov x0, sp
    mov x1, #0 // TRAP_EL1_SYNC
    bl arm64_trap
    // Back only from a fixed-up fault of arch_copy_*_user: unlike
    // arm64_trap_return, resume on the interrupted sp saved in the frame.
    ldp x0, x1, [sp, #OFF_ELR]
    msr elr_el1, x0
    msr spsr_el1, x1
    X2_TO_X29 ldp
    ldr x30, [sp, #30 * 8]
    ldr x0, [sp, #OFF_SP]
    mov sp, x0
    adrp x1, arm64_trap_stack_top
    add x1, x1, :lo12:arm64_trap_stack_top
    ldp x0, x1, [x1, #-FRAME_SIZE]
    eret

// Returns to whatever the frame at sp describes. Interrupts are masked
// (PSTATE.I was set on exception entry and nothing cleared it).
.global arm64_trap_return
arm64_trap_return:
    ldp x0, x1, [sp, #OFF_ELR]
    msr elr_el1, x0
    msr spsr_el1, x1
    tst x1, #0xf // SPSR.M[3:0] == 0: back to EL0t
    b.ne 1f
    // Back to EL0: its sp goes to SP_EL0. SP_EL1 ends up at the top of the
    // frame, the empty kernel stack, where the next trap from EL0 starts.
    ldr x0, [sp, #OFF_SP]
    msr sp_el0, x0
1:  ldp x0, x1, [sp, #0 * 8]
    X2_TO_X29 ldp
    ldr x30, [sp, #30 * 8]
    add sp, sp, #FRAME_SIZE
    eret

// int64_t syscall_gate_direct(a0, a1, a2, a3, a4, number): the gate of
// in-kernel apps (start_info.gate, sys_gate_fn), a plain call with the
// arguments in x0-x4 and the number in x5, passed on as they are to
// channel_call_fast (SYS_CHANNEL_CALL) or syscall_run. A number the kernel
// does not have is turned away here, before any frame is built. The kernel
// runs with interrupts masked, so they are masked around it; apps run with
// them unmasked, so it unmasks them again.
.global syscall_gate_direct
syscall_gate_direct:
    sub x9, x5, #1
    cmp x9, #SYS_MAX
    b.hs 3f
    msr daifset, #2
    stp x29, x30, [sp, #-16]!
    mov x29, sp
    cmp x5, #SYS_CHANNEL_CALL
    b.ne 2f
    bl channel_call_fast
1:  ldp x29, x30, [sp], #16
    msr daifclr, #2
    ret
2:  bl syscall_run
    b 1b
3:  adrp x9, syscall_count      // interrupts are unmasked: count atomically
    add x9, x9, :lo12:syscall_count
4:  ldxr x10, [x9]
    add x10, x10, #1
    stxr w11, x10, [x9]
    cbnz w11, 4b
    mov x0, #ERR_BAD_SYSCALL
    ret

// The syscall path, kept short because every user-mode syscall takes it.
// The gate (lib/stellina/arch/arm64/gate.S) is a function call: x0-x4 are
// the arguments, x8 the number, x0 the result, and like any call it may lose
// x1-x18 (they come back zeroed, so nothing of the kernel leaks). x19-x29
// are callee-saved in the C code below; the frame of a thread inside a
// syscall holds x29, x30, its sp, ELR and SPSR (it may block, and other
// threads take traps meanwhile). Interrupts stay masked until eret.
el0_svc:
    stp x29, x30, [sp, #29 * 8]
    mrs x9, sp_el0
    str x9, [sp, #OFF_SP]
    mrs x9, elr_el1
    mrs x10, spsr_el1
    stp x9, x10, [sp, #OFF_ELR]
    ldr x0, [sp, #0 * 8]
    mov x5, x8 // the number: syscall_dispatch's sixth argument
    mov x29, #0 // the user's frame chain is not the kernel's to follow
    bl syscall_dispatch
    ldp x9, x10, [sp, #OFF_ELR]
    msr elr_el1, x9
    msr spsr_el1, x10
    ldr x9, [sp, #OFF_SP]
    msr sp_el0, x9
    ldp x29, x30, [sp, #29 * 8]
    .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18
    mov x\r, #0
    .endr
    add sp, sp, #FRAME_SIZE
    eret

// void arch_switch(struct arch_context *prev, struct arch_context *next)
// Saves the callee-saved registers into prev and resumes next where it last
// called arch_switch (or, for a new thread, in arm64_thread_start).
.global arch_switch
arch_switch:
    stp x19, x20, [x0, #0 * 8]
    stp x21, x22, [x0, #2 * 8]
    stp x23, x24, [x0, #4 * 8]
    stp x25, x26, [x0, #6 * 8]
    stp x27, x28, [x0, #8 * 8]
    stp x29, x30, [x0, #10 * 8]
    mov x9, sp
    str x9, [x0, #12 * 8]
    ldp x19, x20, [x1, #0 * 8]
    ldp x21, x22, [x1, #2 * 8]
    ldp x23, x24, [x1, #4 * 8]
    ldp x25, x26, [x1, #6 * 8]
    ldp x27, x28, [x1, #8 * 8]
    ldp x29, x30, [x1, #10 * 8]
    ldr x9, [x1, #12 * 8]
    mov sp, x9
    ret

// A new thread's first instructions (arch_context_init puts them in lr).
// x19 = pc, x20 = arg, x21 = sp, x22 = user?, x23 = kernel stack top.
// Interrupts are masked here, as in all kernel code.
.global arm64_thread_start
arm64_thread_start:
    mov x0, x20
    cbnz x22, 1f
    // EL1: fp = 0 ends backtraces; returning from pc is a bug.
    mov sp, x21
    mov x29, #0
    ldr x30, =arm64_thread_returned
    msr daifclr, #2
    br x19
1:  // EL0: eret to pc with SPSR = EL0t, interrupts unmasked, the user stack
    // in SP_EL0 and SP_EL1 at the empty kernel stack for the next trap.
    msr elr_el1, x19
    msr spsr_el1, xzr
    msr sp_el0, x21
    mov sp, x23
    // Leave nothing of the kernel in registers (x0 is arg).
    .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    mov x\r, #0
    .endr
    eret

// The emergency trap stack (the kernel runs on one CPU).
.section .bss
.balign 16
.global arm64_trap_stack, arm64_trap_stack_top
arm64_trap_stack:
    .skip TRAP_STACK_SIZE
arm64_trap_stack_top:
