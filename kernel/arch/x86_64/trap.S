// SPDX-License-Identifier: MIT
// x86_64 trap entry and exit (interrupt stubs, syscall/sysret), the context switch, and a new thread's first code.

#include "../../../abi/syscall.h"
#include "x86_64.h"

#define ERR_BAD_SYSCALL (-16) // abi/error.h (asserted in trap.c)
#define SEL_USER_DATA (0x20 | 3)
#define SEL_USER_CODE (0x28 | 3)
#define VEC_SYSCALL 0x100
#define PERCPU_KSTACK 0
#define PERCPU_USER_RSP 8
// Offsets in struct trap_frame (x86_64.h).
#define TF_RDI (9 * 8)
#define TF_RCX (12 * 8)
#define TF_RAX (14 * 8)
#define TF_RIP (17 * 8)
#define TF_CS (18 * 8)
#define TF_RFLAGS (19 * 8)
#define TF_RSP (20 * 8)
// Offsets in struct arch_context (arch_types.h).
#define CTX_RSP 0
#define CTX_RIP 8
#define CTX_RBX 16
#define CTX_RBP 24
#define CTX_R12 32
#define CTX_R13 40
#define CTX_R14 48
#define CTX_R15 56

.macro PUSH_GPRS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm
.macro POP_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm

// 256 entry stubs, 16 bytes apart (cpu.c computes the IDT from that). Each
// makes the stack look the same: error code (0 where the CPU pushes none),
// then the vector number.
.macro VECTOR v
    .balign 16
    .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
    pushq $\v
    .else
    pushq $0
    pushq $\v
    .endif
    jmp trap_common
.endm

.section .text
.balign 16
.global x86_64_vectors
x86_64_vectors:
.altmacro
.set vec, 0
.rept 256
    VECTOR %vec
.set vec, vec + 1
.endr
.noaltmacro

// Common entry: the CPU pushed ss, rsp, rflags, cs, rip (ring 0 too: in
// 64-bit mode it always does, on a stack it aligned to 16 bytes).
trap_common:
    // From user mode (cs RPL 3): the GS base becomes the kernel's.
    testb $3, 24(%rsp)
    jz 1f
    swapgs
1:  PUSH_GPRS
    cld
    // A trap inside arch_copy_*_user comes with SMAP lifted (rflags.AC set,
    // which the CPU keeps on entry): arm it again; iretq restores the old value.
    testb $1, x86_64_has_smap(%rip)
    jz 2f
    clac
2:  movq %rsp, %rdi
    // The frame is 22 quadwords on a 16-byte aligned stack: rsp stays aligned.
    call x86_64_trap
.global x86_64_trap_return
x86_64_trap_return:
    POP_GPRS
    addq $16, %rsp // vector and error code
    testb $3, 8(%rsp)
    jz 2f
    swapgs
2:  iretq

// syscall from user mode: rip in rcx, rflags in r11, IF, DF, AC etc. cleared
// per SFMASK, still on the user stack with the user's GS base. No interrupt
// can come until we return (IF is 0 throughout the kernel).
// The path is kept short because every user-mode syscall takes it. The gate
// (lib/stellina/arch/x86_64/gate.S) is a function call: rdi, rsi, rdx, r10,
// r8 are the arguments, rax the number and the result, and like any call
// it may lose the other caller-saved registers (they come back zeroed, so
// nothing of the kernel leaks). rbx, rbp, r12-r15 are callee-saved in the C
// code below; the kernel stack of a thread inside a syscall holds only the
// user's rsp, rflags and rip (it may block, and other threads run meanwhile).
.global x86_64_syscall_entry
x86_64_syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_USER_RSP
    movq %gs:PERCPU_KSTACK, %rsp
    pushq %gs:PERCPU_USER_RSP
    pushq %r11
    pushq %rcx
    subq $8, %rsp // rsp stays 16-aligned
    movq %r10, %rcx
    movq %rax, %r9 // the number: syscall_dispatch's sixth argument
    call syscall_dispatch
    addq $8, %rsp
    popq %rcx
    popq %r11
    // sysret only to a user rip: one past the user range would be
    // non-canonical, and that sysret would fault in ring 0 on the user's
    // stack. The guard page below USER_END makes it impossible; check anyway.
    movabsq $USER_END, %rdx
    cmpq %rdx, %rcx
    jae 1f
    // What goes back to user mode is what came from there, made sane for
    // sysret: IF on, no IOPL, no trap flag games.
    andq $0xcd5, %r11
    orq $0x202, %r11
    xorl %edx, %edx
    xorl %esi, %esi
    xorl %edi, %edi
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    popq %rsp // the user stack; from here on nothing may trap
    swapgs
    sysretq
1:  movq %rcx, %rdi
    call x86_64_syscall_bad_return

// int64_t syscall_gate_direct(a0, a1, a2, a3, a4, number): the gate of
// in-kernel apps (start_info.gate, sys_gate_fn), a plain call: a0-a4 in rdi,
// rsi, rdx, rcx, r8 and the number in r9, passed on as they are to
// channel_call_fast (SYS_CHANNEL_CALL) or syscall_run. A number the kernel
// does not have is turned away here, before any frame. The kernel runs with
// interrupts off, so they are off around it; apps run with them on, so it
// turns them on again.
.global syscall_gate_direct
syscall_gate_direct:
    leaq -1(%r9), %rax
    cmpq $SYS_MAX, %rax
    jae 3f
    pushq %rbp
    movq %rsp, %rbp // and rsp is 16-aligned for the calls
    cli
    cmpq $SYS_CHANNEL_CALL, %r9
    jne 2f
    call channel_call_fast
1:  popq %rbp
    sti
    ret
2:  call syscall_run
    jmp 1b
3:  lock incq syscall_count(%rip) // interrupts are on: count atomically
    movq $ERR_BAD_SYSCALL, %rax
    ret

// void x86_64_switch(struct arch_context *prev, struct arch_context *next)
// Saves the callee-saved registers, rsp and the return address into prev and
// resumes next where it last called x86_64_switch (or, for a new thread, in
// x86_64_thread_start).
.global x86_64_switch
x86_64_switch:
    popq %rax
    movq %rax, CTX_RIP(%rdi)
    movq %rsp, CTX_RSP(%rdi)
    movq %rbx, CTX_RBX(%rdi)
    movq %rbp, CTX_RBP(%rdi)
    movq %r12, CTX_R12(%rdi)
    movq %r13, CTX_R13(%rdi)
    movq %r14, CTX_R14(%rdi)
    movq %r15, CTX_R15(%rdi)
    movq CTX_RSP(%rsi), %rsp
    movq CTX_RBX(%rsi), %rbx
    movq CTX_RBP(%rsi), %rbp
    movq CTX_R12(%rsi), %r12
    movq CTX_R13(%rsi), %r13
    movq CTX_R14(%rsi), %r14
    movq CTX_R15(%rsi), %r15
    jmpq *CTX_RIP(%rsi)

// A new thread's first instructions: rbx = pc, r12 = arg, r13 = sp,
// r14 = user?, r15 = kernel stack top. Interrupts are off here.
.global x86_64_thread_start
x86_64_thread_start:
    testq %r14, %r14
    jnz 1f
    // Kernel mode: as if pc had been called from x86_64_thread_returned with
    // a 16-byte aligned stack; rbp = 0 ends backtraces.
    movq %r13, %rsp
    andq $-16, %rsp
    leaq x86_64_thread_returned(%rip), %rax
    pushq %rax
    movq %r12, %rdi
    xorl %ebp, %ebp
    sti
    jmpq *%rbx
1:  // User mode: an iretq frame on the kernel stack, every register 0 but
    // rdi (arg); the stack pointer as a call would leave it (sp - 8).
    movq %r15, %rsp
    pushq $SEL_USER_DATA
    movq %r13, %rax
    andq $-16, %rax
    subq $8, %rax
    pushq %rax
    pushq $0x202 // IF
    pushq $SEL_USER_CODE
    pushq %rbx
    pushq $0
    pushq $0
    .rept 15
    pushq $0
    .endr
    movq %r12, TF_RDI(%rsp)
    jmp x86_64_trap_return
