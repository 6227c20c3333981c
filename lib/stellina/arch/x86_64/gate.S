// SPDX-License-Identifier: MIT
// The user-mode syscall trap for x86_64: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9, result in rax.

// int64_t sys_trap(number, a0, a1, a2, a3, a4, a5): sys_call's order (the
// number first, which makes the in-kernel gate a plain jump) arrives in rdi,
// rsi, rdx, rcx, r8, r9 and a5 on the stack. syscall overwrites rcx (return
// rip) and r11 (rflags), so the fourth argument travels in r10.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, @function
sys_trap:
    movq %rdi, %rax
    movq %rsi, %rdi
    movq %rdx, %rsi
    movq %rcx, %rdx
    movq %r8, %r10
    movq %r9, %r8
    movq 8(%rsp), %r9
    syscall
    ret
    .size sys_trap, . - sys_trap
