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
static inline bool range_ok(struct process *proc, const void __user *uaddr, size_t len,
                            unsigned prot) {
    return len == 0 || vmspace_range_ok(proc->vmspace, proc, (vaddr_t)uaddr, len, prot);
}

bool user_range_ok(const void __user *uaddr, size_t len, unsigned prot) {
    return range_ok(current->proc, uaddr, len, prot);
}

int copy_from_user(void *dst, const void __user *src, size_t len) {
    struct process *proc = current->proc;
    if (!range_ok(proc, src, len, PROT_READ))
        return ERR_BAD_ADDR;
    // User memory is out of the kernel's reach but through the arch's
    // guarded copy (SUM / PAN / SMAP lifted only for it; faults caught).
    if (proc->mode == ISOLATION_USER)
        return arch_copy_from_user(dst, src, len);
    memcpy(dst, src, len);
    return 0;
}

int copy_to_user(void __user *dst, const void *src, size_t len) {
    struct process *proc = current->proc;
    if (!range_ok(proc, dst, len, PROT_WRITE))
        return ERR_BAD_ADDR;
    if (proc->mode == ISOLATION_USER)
        return arch_copy_to_user(dst, src, len);
    memcpy(dst, src, len);
    return 0;
}
