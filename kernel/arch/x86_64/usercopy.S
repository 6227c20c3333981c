// SPDX-License-Identifier: MIT
// Copies between the kernel and user memory: SMAP is lifted (stac) only inside them, and a fault in them returns ERR_BAD_ADDR.

#include "x86_64.h"

#define ERR_BAD_ADDR (-5) // abi/error.h (asserted in trap.c)

// The copy instructions between x86_64_user_copy_start and _end may fault on a
// user address; trap.c sends such a page fault to x86_64_user_copy_fault
// instead of treating it as a kernel bug. The copy pushes nothing on the
// stack, so resuming at the fixup address is enough to unwind it.

.section .text

// int arch_copy_from_user(void *dst, const void *usrc, size_t len)
.global arch_copy_from_user
arch_copy_from_user:
    movq %rsi, %rax
    jmp check_range

// int arch_copy_to_user(void *udst, const void *src, size_t len)
.global arch_copy_to_user
arch_copy_to_user:
    movq %rdi, %rax
    // Fall through.

// The user range [rax, rax + len) must lie inside the user range, whatever
// core checked already: with SMAP lifted, kernel memory would be reachable too.
check_range:
    testq %rdx, %rdx
    jz copy_ok
    movabsq $USER_BASE, %r8
    cmpq %r8, %rax
    jb copy_bad
    movq %rax, %r9
    addq %rdx, %r9
    jc copy_bad                     // wrapped around
    movabsq $USER_END, %r8
    cmpq %r8, %r9
    ja copy_bad
    testb $1, x86_64_has_smap(%rip) // stac is an invalid opcode without SMAP
    jz 1f
    stac
1:  // Quadwords, then the rest in bytes: each round of a rep counts as one
    // instruction (under QEMU it is one), so bytes alone cost 8 times more.
    movq %rdx, %rcx
    shrq $3, %rcx
.global x86_64_user_copy_start
x86_64_user_copy_start:
    rep movsq
    movq %rdx, %rcx
    andq $7, %rcx
    rep movsb
.global x86_64_user_copy_end
x86_64_user_copy_end:
    testb $1, x86_64_has_smap(%rip)
    jz copy_ok
    clac
copy_ok:
    xorl %eax, %eax
    ret

// Where a faulting access of the copy resumes (trap.c sets rip here).
.global x86_64_user_copy_fault
x86_64_user_copy_fault:
    testb $1, x86_64_has_smap(%rip)
    jz copy_bad
    clac
copy_bad:
    movl $ERR_BAD_ADDR, %eax
    ret
