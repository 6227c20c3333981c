// SPDX-License-Identifier: MIT
// The user-mode syscall trap for arm64: arguments in x0-x4, number in x8, result in x0.

// int64_t sys_trap(a0, a1, a2, a3, a4, number): the gate's order (sys_gate_fn:
// the number last) arrives in x0-x5; the trap takes the number in x8.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, %function
sys_trap:
    mov x8, x5
    svc #0
    ret
    .size sys_trap, . - sys_trap
