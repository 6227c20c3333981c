// SPDX-License-Identifier: MIT
// The riscv64 trap entry and exit, the context switch, and the first code a new thread runs.

#define FRAME_SIZE (36 * 8) // sizeof(struct trap_frame), see riscv64.h
#define SSTATUS_SPP 0x100
#define SSTATUS_SPIE 0x20
#define SSTATUS_SIE 0x2

// Saves every GPR but sp (x2) and x0 at offset N*8 for register xN.
.macro SAVE_GPRS
    sd x1, 1*8(sp)
    sd x3, 3*8(sp)
    sd x4, 4*8(sp)
    .irp n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
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
.balign 4
.global riscv64_trap_entry
riscv64_trap_entry:
    csrrw sp, sscratch, sp
    bnez sp, from_user
    // From S-mode: take sp back (sscratch becomes 0 again) and push the frame
    // on the interrupted stack, so a switch from inside the handler keeps it
    // with the thread it belongs to.
    csrrw sp, sscratch, sp
    addi sp, sp, -FRAME_SIZE
    SAVE_GPRS
    addi t0, sp, FRAME_SIZE
    sd t0, 2*8(sp)
    j trap_common
from_user:
    // From U-mode: sp is the thread's kernel stack top, sscratch the user sp.
    addi sp, sp, -FRAME_SIZE
    SAVE_GPRS
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
