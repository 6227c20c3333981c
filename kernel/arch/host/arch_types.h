// SPDX-License-Identifier: MIT
// Host stand-ins for the per-arch types, so core pieces compile into host unit tests.
#pragma once
#include <stdint.h>

#define ARCH_NAME "host"

struct arch_context {
    uint64_t unused;
};

struct arch_pagetable {
    uint64_t unused;
};
