// SPDX-License-Identifier: MIT
// Copies between the kernel and user memory: sstatus.SUM is set only inside them, and a fault in them returns ERR_BAD_ADDR.

#include "riscv64.h"

#define ERR_BAD_ADDR (-5) // abi/error.h (asserted in trap.c)

// Every load and store between riscv64_user_copy_start and _end may fault
// on a user address; trap.c sends such a fault to riscv64_user_copy_fault
// instead of treating it as a kernel bug. The copy is a leaf function that
// touches no stack, so resuming at the fixup address is enough to unwind it.

.section .text

// int arch_copy_from_user(void *dst, const void *usrc, size_t len)
.global arch_copy_from_user
arch_copy_from_user:
    mv t3, a1
    j check_range

// int arch_copy_to_user(void *udst, const void *src, size_t len)
.global arch_copy_to_user
arch_copy_to_user:
    mv t3, a0
    // Fall through.

// The user range [t3, t3 + len) must lie inside the user half, whatever core
// checked already: with SUM set, a kernel address would be reachable too.
check_range:
    beqz a2, copy_ok
    li t4, USER_BASE
    bltu t3, t4, copy_bad
    add t5, t3, a2
    bltu t5, t3, copy_bad           // wrapped around
    li t4, USER_END
    bgtu t5, t4, copy_bad
    li t6, SSTATUS_SUM
    csrs sstatus, t6

.global riscv64_user_copy_start
riscv64_user_copy_start:
    // Words when both pointers can be aligned together, bytes otherwise.
    xor t0, a0, a1
    andi t0, t0, 7
    bnez t0, copy_bytes
1:  andi t0, a0, 7                  // bytes up to the first aligned word
    beqz t0, copy_words
    lb t1, 0(a1)
    sb t1, 0(a0)
    addi a0, a0, 1
    addi a1, a1, 1
    addi a2, a2, -1
    bnez a2, 1b
    j copy_done
copy_words:
    // 32 bytes a round while they last (messages are up to 4 KiB), then words.
    li t2, 32
    bltu a2, t2, 4f
5:  ld t1, 0(a1)
    ld t3, 8(a1)
    ld t4, 16(a1)
    ld t5, 24(a1)
    sd t1, 0(a0)
    sd t3, 8(a0)
    sd t4, 16(a0)
    sd t5, 24(a0)
    addi a0, a0, 32
    addi a1, a1, 32
    addi a2, a2, -32
    bgeu a2, t2, 5b
4:  li t2, 8
    bltu a2, t2, copy_bytes
2:  ld t1, 0(a1)
    sd t1, 0(a0)
    addi a0, a0, 8
    addi a1, a1, 8
    addi a2, a2, -8
    bgeu a2, t2, 2b
copy_bytes:
    beqz a2, copy_done
3:  lb t1, 0(a1)
    sb t1, 0(a0)
    addi a0, a0, 1
    addi a1, a1, 1
    addi a2, a2, -1
    bnez a2, 3b
copy_done:
.global riscv64_user_copy_end
riscv64_user_copy_end:
    csrc sstatus, t6
copy_ok:
    li a0, 0
    ret

// Where a faulting access of the copy resumes (trap.c sets sepc here).
.global riscv64_user_copy_fault
riscv64_user_copy_fault:
    li t6, SSTATUS_SUM
    csrc sstatus, t6
copy_bad:
    li a0, ERR_BAD_ADDR
    ret
