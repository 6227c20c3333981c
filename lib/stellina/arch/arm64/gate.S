// SPDX-License-Identifier: MIT
// The user-mode syscall trap for arm64: arguments in x0-x5, number in x8, result in x0.

// int64_t sys_trap(a0, a1, a2, a3, a4, a5, number): the C calling convention
// already puts the six arguments in x0-x5 and the number in x6.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, %function
sys_trap:
    mov x8, x6
    svc #0
    ret
    .size sys_trap, . - sys_trap
