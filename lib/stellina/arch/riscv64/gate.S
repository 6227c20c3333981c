// SPDX-License-Identifier: MIT
// The user-mode syscall trap for riscv64: arguments in a0-a4, number in a7, result in a0.

// int64_t sys_trap(a0, a1, a2, a3, a4, number): the gate's order (sys_gate_fn:
// the number last) arrives in a0-a5; the trap takes the number in a7.
    .section .text
    .globl sys_trap
    .hidden sys_trap
    .type sys_trap, @function
sys_trap:
    mv a7, a5
    ecall
    ret
    .size sys_trap, . - sys_trap
