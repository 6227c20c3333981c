// SPDX-License-Identifier: MIT
// The riscv64 trap entry and exit, the context switch, and the first code a new thread runs.

#include "riscv64.h"
#include "../../../abi/syscall.h"

#define FRAME_SIZE TRAP_FRAME_SIZE
// A kernel-mode data fault this close to sp (either side) is a stack overflow.
#define KSTACK_NEAR 4096
#define TRAP_STACK_SIZE 8192 // for the report: kprintf, the dump, panic
#define ERR_BAD_SYSCALL (-16) // abi/error.h (asserted in trap.c)

// Saves every GPR but x0, sp (x2) and t0 (x5) at offset N*8 for register xN.
.macro SAVE_GPRS_BUT_T0
    sd x1, 1*8(sp)
    sd x3, 3*8(sp)
    sd x4, 4*8(sp)
    .irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
.endm
.macro RESTORE_GPRS
    ld x1, 1*8(sp)
    ld x3, 3*8(sp)
    ld x4, 4*8(sp)
    .irp n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(sp)
    .endr
.endm

.section .text
// stvec points here (direct mode). sscratch is 0 while the CPU is in the
// kernel, and the current thread's kernel stack top while it is in user mode.
// The kernel runs with interrupts off, so a trap from S-mode is an exception
// or an interrupt of idle / an in-kernel app, never a nested interrupt.
.balign 4
.global riscv64_trap_entry
riscv64_trap_entry:
    csrrw sp, sscratch, sp
    bnez sp, from_user
    // From S-mode: sp is free (0) and sscratch holds the interrupted sp. A
    // load or store fault (access or page fault: scause 5, 7, 13 or 15, the
    // values that are 5 with bits 1 and 3 cleared) may be a stack overflow:
    // then the frame must not go on that stack, or pushing it faults again.
    csrr sp, scause
    andi sp, sp, ~0xa
    addi sp, sp, -5
    beqz sp, kernel_data_fault
from_kernel:
    // Take sp back (sscratch becomes 0 again) and push the frame on the
    // interrupted stack, so a switch from inside the handler keeps it with
    // the thread it belongs to.
    csrrw sp, sscratch, zero
    addi sp, sp, -FRAME_SIZE
    sd t0, 5*8(sp)
    SAVE_GPRS_BUT_T0
    addi t0, sp, FRAME_SIZE
    sd t0, 2*8(sp)
    j trap_common
from_user:
    // From U-mode: sp is the thread's (empty) kernel stack top, sscratch the user sp.
    addi sp, sp, -FRAME_SIZE
    sd t0, 5*8(sp)
    csrr t0, scause
    addi t0, t0, -EXC_ECALL_U
    beqz t0, user_syscall
    SAVE_GPRS_BUT_T0
    ld tp, FRAME_SIZE(sp) // the running thread (arch_context_init put it above the frame)
    csrr t0, sscratch
    sd t0, 2*8(sp)
    csrw sscratch, zero // now in the kernel
trap_common:
    csrr t0, sepc
    sd t0, 32*8(sp)
    csrr t0, sstatus
    sd t0, 33*8(sp)
    csrr t0, scause
    sd t0, 34*8(sp)
    csrr t0, stval
    sd t0, 35*8(sp)
    mv a0, sp
    call riscv64_trap
    // Fall through: return to whatever the frame at sp describes.
.global riscv64_trap_return
riscv64_trap_return:
    // sstatus as saved: SIE is 0 (cleared on entry), SPIE/SPP say what sret restores.
    ld t0, 33*8(sp)
    csrw sstatus, t0
    ld t1, 32*8(sp)
    csrw sepc, t1
    andi t0, t0, SSTATUS_SPP
    bnez t0, 1f
    // Back to U-mode: the next trap from there starts on an empty kernel stack.
    addi t1, sp, FRAME_SIZE
    csrw sscratch, t1
1:  RESTORE_GPRS
    ld sp, 2*8(sp)
    sret

// A load or store fault in S-mode. If its address is within a page of the
// interrupted sp, the stack has run into its guard page: build the frame on
// the emergency trap stack instead (trap.c reports the overflow). Only two
// registers are needed to compare, so t0 and t1 wait in a scratch pair
// meanwhile (the kernel runs on one hart). Any other fault takes the normal path.
kernel_data_fault:
    la sp, riscv64_trap_scratch
    sd t0, 0(sp)
    sd t1, 8(sp)
    csrr t0, stval
    csrr t1, sscratch
    sub t0, t0, t1
    li t1, KSTACK_NEAR
    add t0, t0, t1
    slli t1, t1, 1
    bltu t0, t1, 1f // stval - sp in [-KSTACK_NEAR, KSTACK_NEAR)
    ld t0, 0(sp)
    ld t1, 8(sp)
    j from_kernel
1:  // A nested overflow while the emergency stack is in use ends here, in a
    // fresh frame at its top: trap.c then only shuts down.
    la sp, riscv64_trap_stack_top
    addi sp, sp, -FRAME_SIZE
    SAVE_GPRS_BUT_T0
    la t0, riscv64_trap_scratch
    ld t1, 0(t0)
    sd t1, 5*8(sp)
    ld t1, 8(t0)
    sd t1, 6*8(sp)
    csrrw t0, sscratch, zero // the interrupted sp; in the kernel sscratch is 0
    sd t0, 2*8(sp)
    // trap_common saves the CSRs and calls riscv64_trap, which reports the
    // overflow and never returns here (if it did, the return would restore
    // the interrupted sp from the frame and free the emergency stack).
    j trap_common

// The syscall path, kept short because every user-mode syscall takes it.
// The gate (lib/stellina/arch/riscv64/gate.S) is a function call: a0-a4 are
// the arguments, a7 the number, a0 the result, and like any call it may lose
// a1-a7 and t0-t6 (they come back zeroed, so nothing of the kernel leaks).
// ra, sp, gp, tp are saved here; s0-s11 are callee-saved in the C code below,
// the kernel never uses gp (-mno-relax) and keeps the running thread in tp
// (loaded from above the frame), so the frame of a thread inside a syscall
// holds only those, sepc and sstatus.
user_syscall:
    sd ra, 1*8(sp)
    sd gp, 3*8(sp)
    sd tp, 4*8(sp)
    ld tp, FRAME_SIZE(sp)
    csrr t0, sscratch
    sd t0, 2*8(sp)
    csrw sscratch, zero // now in the kernel
    // Past the ecall: the call may block and other threads take traps meanwhile.
    csrr t0, sepc
    addi t0, t0, 4
    sd t0, 32*8(sp)
    csrr t0, sstatus
    sd t0, 33*8(sp)
    mv a5, a7 // the number: syscall_dispatch's sixth argument
    // Interrupts stay off (the trap cleared SIE). syscall_dispatch does not
    // return if the thread exits; its kernel stack is then freed by core.
    call syscall_dispatch
    ld t0, 33*8(sp)
    csrw sstatus, t0
    ld t0, 32*8(sp)
    csrw sepc, t0
    addi t0, sp, FRAME_SIZE
    csrw sscratch, t0
    ld ra, 1*8(sp)
    ld gp, 3*8(sp)
    ld tp, 4*8(sp)
    .irp r, t0,t1,t2,t3,t4,t5,t6,a1,a2,a3,a4,a5,a6,a7
    li \r, 0
    .endr
    ld sp, 2*8(sp)
    sret

// int64_t syscall_gate_direct(a0, a1, a2, a3, a4, number): the gate of
// in-kernel apps (start_info.gate, sys_gate_fn), a plain call with the
// arguments in a0-a4 and the number in a5, passed on as they are to
// channel_call_fast (SYS_CHANNEL_CALL) or syscall_run. A number the kernel
// does not have is turned away here, before any frame is built. The kernel
// runs with interrupts off, so they are off around it; apps run with them
// on, so it turns them on again.
.global syscall_gate_direct
syscall_gate_direct:
    addi t0, a5, -1
    li t1, SYS_MAX
    bgeu t0, t1, 3f
    addi sp, sp, -16
    sd ra, 8(sp)
    csrci sstatus, SSTATUS_SIE
    li t1, SYS_CHANNEL_CALL
    bne a5, t1, 2f
    call channel_call_fast
1:  ld ra, 8(sp)
    addi sp, sp, 16
    csrsi sstatus, SSTATUS_SIE
    ret
2:  call syscall_run
    j 1b
3:  la t0, syscall_count   // interrupts are on: count atomically
    li t1, 1
    amoadd.d zero, t1, (t0)
    li a0, ERR_BAD_SYSCALL
    ret

// bool riscv64_probe_stimecmp(void): writes stimecmp (disabling the timer);
// if that traps as illegal, trap.c sets a0 = 0 and resumes after the write.
.global riscv64_probe_stimecmp
riscv64_probe_stimecmp:
    li a0, 1
    li t0, -1
.global riscv64_probe_insn
riscv64_probe_insn:
    csrw 0x14d, t0
    ret

// void arch_switch(struct arch_context *prev, struct arch_context *next)
// Saves the callee-saved registers into prev and resumes next where it last
// called arch_switch (or, for a new thread, in riscv64_thread_start).
.global arch_switch
arch_switch:
    sd ra, 0*8(a0)
    sd sp, 1*8(a0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd s\n, (2+\n)*8(a0)
    .endr
    ld ra, 0*8(a1)
    ld sp, 1*8(a1)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld s\n, (2+\n)*8(a1)
    .endr
    ret

// A new thread's first instructions (arch_context_init puts them in ra).
// s0 = pc, s1 = arg, s2 = sp, s3 = user?, s4 = kernel stack top. Interrupts
// are off here, as in all kernel code.
.global riscv64_thread_start
riscv64_thread_start:
    mv t0, s0
    mv a0, s1
    mv sp, s2
    bnez s3, 1f
    // Kernel mode: fp = 0 ends backtraces; returning from pc is a bug.
    li s0, 0
    la ra, riscv64_thread_returned
    csrsi sstatus, SSTATUS_SIE
    jr t0
1:  // User mode: sret to pc with SPP = 0 (U) and SPIE = 1 (interrupts on).
    csrw sepc, t0
    li t1, SSTATUS_SPP
    csrc sstatus, t1
    li t1, SSTATUS_SPIE
    csrs sstatus, t1
    csrw sscratch, s4
    // Leave nothing of the kernel in registers (a0 is arg, sp the user stack).
    .irp r, ra,gp,tp,t0,t1,t2,s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11,a1,a2,a3,a4,a5,a6,a7,t3,t4,t5,t6
    li \r, 0
    .endr
    sret

// The emergency trap stack (one hart) and the scratch pair of kernel_data_fault.
.section .bss
.balign 16
.global riscv64_trap_stack, riscv64_trap_stack_top
riscv64_trap_stack:
    .skip TRAP_STACK_SIZE
riscv64_trap_stack_top:
riscv64_trap_scratch:
    .skip 16
