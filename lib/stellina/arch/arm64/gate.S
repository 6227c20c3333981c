// SPDX-License-Identifier: MIT
// The user-mode syscall trap for arm64: arguments in x0-x5, number in x8, result in x0.

// int64_t sys_trap(number, a0, a1, a2, a3, a4, a5): sys_call's order (the
// number first, which makes the in-kernel gate a plain jump) arrives in
// x0-x6; the trap takes the number in x8 and the arguments in x0-x5.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, %function
sys_trap:
    mov x8, x0
    mov x0, x1
    mov x1, x2
    mov x2, x3
    mov x3, x4
    mov x4, x5
    mov x5, x6
    svc #0
    ret
    .size sys_trap, . - sys_trap
