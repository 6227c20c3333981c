// SPDX-License-Identifier: MIT
// Copies between the kernel and user memory with unprivileged loads/stores; a fault in them returns ERR_BAD_ADDR.

#include "arm64.h"

#define ERR_BAD_ADDR (-5) // abi/error.h (asserted in trap.c)

// The user side is read with LDTR and written with STTR: accesses made with
// EL0's permissions. They work with PAN on (PAN never applies to them), and a
// kernel address or a read-only user page faults just as it would for the
// app itself. Every access between arm64_user_copy_start and _end may fault;
// trap.c sends such a fault to arm64_user_copy_fault instead of treating it
// as a kernel bug. The copies are leaf functions that touch no stack, so
// resuming at the fixup address is enough to unwind them.

.section .text

// The user range [x3, x3 + len) must lie in the user half, whatever core
// checked already.
.macro CHECK_RANGE
    cbz x2, copy_ok
    ldr x4, =USER_BASE
    cmp x3, x4
    b.lo copy_bad
    adds x5, x3, x2
    b.cs copy_bad // wrapped around
    ldr x4, =USER_END
    cmp x5, x4
    b.hi copy_bad
.endm

// int arch_copy_from_user(void *dst, const void *usrc, size_t len)
.global arch_copy_from_user
arch_copy_from_user:
    mov x3, x1
    CHECK_RANGE
    // With both pointers aligned: 32 bytes a round while they last, then
    // words; bytes otherwise and for the rest.
    orr x6, x0, x1
    tst x6, #7
    b.ne 3f
.global arm64_user_copy_start
arm64_user_copy_start:
0:  cmp x2, #32
    b.lo 1f
    ldtr x6, [x1]
    ldtr x7, [x1, #8]
    ldtr x8, [x1, #16]
    ldtr x9, [x1, #24]
    stp x6, x7, [x0], #16
    stp x8, x9, [x0], #16
    add x1, x1, #32
    sub x2, x2, #32
    b 0b
1:  cmp x2, #8
    b.lo 3f
    ldtr x6, [x1]
    str x6, [x0], #8
    add x1, x1, #8
    sub x2, x2, #8
    b 1b
3:  cbz x2, copy_ok
    ldtrb w6, [x1]
    strb w6, [x0], #1
    add x1, x1, #1
    sub x2, x2, #1
    b 3b

// int arch_copy_to_user(void *udst, const void *src, size_t len)
.global arch_copy_to_user
arch_copy_to_user:
    mov x3, x0
    CHECK_RANGE
    orr x6, x0, x1
    tst x6, #7
    b.ne 3f
0:  cmp x2, #32
    b.lo 1f
    ldp x6, x7, [x1], #16
    ldp x8, x9, [x1], #16
    sttr x6, [x0]
    sttr x7, [x0, #8]
    sttr x8, [x0, #16]
    sttr x9, [x0, #24]
    add x0, x0, #32
    sub x2, x2, #32
    b 0b
1:  cmp x2, #8
    b.lo 3f
    ldr x6, [x1], #8
    sttr x6, [x0]
    add x0, x0, #8
    sub x2, x2, #8
    b 1b
3:  cbz x2, copy_ok
    ldrb w6, [x1], #1
    sttrb w6, [x0]
    add x0, x0, #1
    sub x2, x2, #1
    b 3b
.global arm64_user_copy_end
arm64_user_copy_end:

copy_ok:
    mov x0, #0
    ret

// Where a faulting access of a copy resumes (trap.c sets ELR here).
.global arm64_user_copy_fault
arm64_user_copy_fault:
copy_bad:
    mov x0, #ERR_BAD_ADDR
    ret
