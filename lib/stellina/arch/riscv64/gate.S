// SPDX-License-Identifier: MIT
// The user-mode syscall trap for riscv64: arguments in a0-a5, number in a7, result in a0.

// int64_t sys_trap(a0, a1, a2, a3, a4, a5, number): the C calling convention
// already puts the six arguments in a0-a5 and the number in a6.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, @function
sys_trap:
    mv a7, a6
    ecall
    ret
    .size sys_trap, . - sys_trap
