// SPDX-License-Identifier: MIT
// The riscv64 kernel's first instructions: OpenSBI jumps here in S-mode with a0 = hartid, a1 = DTB.

.section .text.boot, "ax"
.global _start
_start:
    // No interrupts and no trap nesting state until riscv64_boot sets them up.
    csrw sie, zero
    csrw sscratch, zero
    li tp, 0 // no running thread yet (arch_current)
    la sp, boot_stack_top
    // Clear .bss (the boot stack is in it, but nothing is on it yet).
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  li s0, 0 // frame pointer 0 ends backtraces here
    li ra, 0
    call riscv64_boot // a0, a1 still hold hartid and DTB; never returns
3:  wfi
    j 3b

.section .bss
.balign 16
.global riscv64_boot_stack
riscv64_boot_stack:
    .space 16384
boot_stack_top:
