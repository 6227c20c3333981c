// SPDX-License-Identifier: MIT
// The user-mode syscall trap for riscv64: arguments in a0-a5, number in a7, result in a0.

// int64_t sys_trap(number, a0, a1, a2, a3, a4, a5): sys_call's order (the
// number first, which makes the in-kernel gate a plain jump) arrives in
// a0-a6; the trap takes the number in a7 and the arguments in a0-a5.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, @function
sys_trap:
    mv a7, a0
    mv a0, a1
    mv a1, a2
    mv a2, a3
    mv a3, a4
    mv a4, a5
    mv a5, a6
    ecall
    ret
    .size sys_trap, . - sys_trap
