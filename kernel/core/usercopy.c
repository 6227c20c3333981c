// SPDX-License-Identifier: MIT
// The only way the kernel touches memory an app passed it: checked copies in and out.
#include "usercopy.h"
#include "process.h"
#include "thread.h"
#include "vmspace.h"
#include <string.h>

// In-kernel apps are trusted not to attack the kernel, but their bad
// pointers still get ERR_BAD_ADDR: every pointer must lie in a mapping the
// process owns (its image, stack, heap or mapped folios), in either mode.
bool user_range_ok(const void __user *uaddr, size_t len, unsigned prot) {
    if (len == 0)
        return true;
    struct process *proc = current->proc;
    return vmspace_range_ok(proc->vmspace, proc, (vaddr_t)uaddr, len, prot);
}

int copy_from_user(void *dst, const void __user *src, size_t len) {
    if (!user_range_ok(src, len, PROT_READ))
        return ERR_BAD_ADDR;
    // User memory is out of the kernel's reach but through the arch's
    // guarded copy (SUM / PAN / SMAP lifted only for it; faults caught).
    if (current->proc->mode == ISOLATION_USER)
        return arch_copy_from_user(dst, src, len);
    memcpy(dst, src, len);
    return 0;
}

int copy_to_user(void __user *dst, const void *src, size_t len) {
    if (!user_range_ok(dst, len, PROT_WRITE))
        return ERR_BAD_ADDR;
    if (current->proc->mode == ISOLATION_USER)
        return arch_copy_to_user(dst, src, len);
    memcpy(dst, src, len);
    return 0;
}
