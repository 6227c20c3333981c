// SPDX-License-Identifier: MIT
// The only way the kernel touches memory an app passed it: checked copies in and out.
#pragma once
#include "common.h"

// Pointers that come from an app; only usercopy reads or writes through them.
#define __user

// Whether [uaddr, uaddr+len) is memory of the current process with prot.
bool user_range_ok(const void __user *uaddr, size_t len, unsigned prot);
// Return 0, or ERR_BAD_ADDR if any byte is not the caller's (nothing is copied then).
MUST_CHECK int copy_from_user(void *dst, const void __user *src, size_t len);
MUST_CHECK int copy_to_user(void __user *dst, const void *src, size_t len);
