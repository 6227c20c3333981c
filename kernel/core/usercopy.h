// SPDX-License-Identifier: MIT
// The only way the kernel touches memory an app passed it: checked copies in and out.
#pragma once
#include "common.h"
#include "process.h"
#include "thread.h"
#include "vmspace.h"
#include <string.h>

// Pointers that come from an app; only usercopy reads or writes through them.
#define __user

// These are inline: every IPC syscall copies its message in and out, and the
// check usually hits the process's last mapping (vmspace_range_ok).

// Whether [uaddr, uaddr+len) is memory of the current process with prot.
// In-kernel apps are trusted not to attack the kernel, but their bad
// pointers still get ERR_BAD_ADDR: every pointer must lie in a mapping the
// process owns (its image, stack, heap or mapped folios), in either mode.
ALWAYS_INLINE bool user_range_ok(const void __user *uaddr, size_t len, unsigned prot) {
    struct process *proc = current->proc;
    return len == 0 || vmspace_range_ok(proc->vmspace, proc, (vaddr_t)uaddr, len, prot);
}

// Return 0, or ERR_BAD_ADDR if any byte is not the caller's (nothing is copied then).
// User memory is out of the kernel's reach but through the arch's guarded
// copy (arch_copy_*_user: Arm PAN or x86 SMAP lifted for the copy alone with
// its faults caught; on RISC-V a page-table lookup and the identity map).
MUST_CHECK ALWAYS_INLINE int copy_from_user_checked(void *dst, const void __user *src, size_t len);
MUST_CHECK ALWAYS_INLINE int copy_to_user_checked(void __user *dst, const void *src, size_t len);

MUST_CHECK ALWAYS_INLINE int copy_from_user(void *dst, const void __user *src, size_t len) {
    if (!user_range_ok(src, len, PROT_READ))
        return ERR_BAD_ADDR;
    return copy_from_user_checked(dst, src, len);
}

MUST_CHECK ALWAYS_INLINE int copy_to_user(void __user *dst, const void *src, size_t len) {
    if (!user_range_ok(dst, len, PROT_WRITE))
        return ERR_BAD_ADDR;
    return copy_to_user_checked(dst, src, len);
}

// The copies alone, for a range user_range_ok has passed already (the IPC
// fast path checks a call's buffer once for both directions).
MUST_CHECK ALWAYS_INLINE int copy_from_user_checked(void *dst, const void __user *src, size_t len) {
    if (current->proc->mode == ISOLATION_USER)
        return arch_copy_from_user(dst, src, len);
    memcpy(dst, src, len);
    return 0;
}

MUST_CHECK ALWAYS_INLINE int copy_to_user_checked(void __user *dst, const void *src, size_t len) {
    if (current->proc->mode == ISOLATION_USER)
        return arch_copy_to_user(dst, src, len);
    memcpy(dst, src, len);
    return 0;
}
