// SPDX-License-Identifier: MIT
// Memory constants of the ABI: page size and mapping protections.
#pragma once

#define PAGE_SIZE  4096
#define PROT_READ  (1u << 0)
#define PROT_WRITE (1u << 1)
#define PROT_EXEC  (1u << 2)
