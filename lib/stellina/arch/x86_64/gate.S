// SPDX-License-Identifier: MIT
// The user-mode syscall trap for x86_64: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9, result in rax.

// int64_t sys_trap(a0, a1, a2, a3, a4, a5, number): the C calling convention
// puts the arguments in rdi, rsi, rdx, rcx, r8, r9 and the number on the
// stack. syscall overwrites rcx (return rip) and r11 (rflags), so the fourth
// argument travels in r10.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, @function
sys_trap:
    movq 8(%rsp), %rax
    movq %rcx, %r10
    syscall
    ret
    .size sys_trap, . - sys_trap
