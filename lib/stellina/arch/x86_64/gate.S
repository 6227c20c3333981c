// SPDX-License-Identifier: MIT
// The user-mode syscall trap for x86_64: number in rax, arguments in rdi, rsi, rdx, r10, r8, result in rax.

// int64_t sys_trap(a0, a1, a2, a3, a4, number): the gate's order (sys_gate_fn:
// the number last) arrives in rdi, rsi, rdx, rcx, r8, r9; the trap takes the
// number in rax and the fourth argument in r10 (syscall overwrites rcx).
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, @function
sys_trap:
    movq %r9, %rax
    movq %rcx, %r10
    syscall
    ret
    .size sys_trap, . - sys_trap
