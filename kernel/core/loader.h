// SPDX-License-Identifier: MIT
// The app loader: maps a PIE ELF into a process, relocates it and starts its main thread.
#pragma once
#include "../../abi/startinfo.h"
#include "common.h"

struct process;

#define APP_STACK_SIZE (64 * 1024)

// Loads `elf` (size bytes, untrusted: every field is checked) into proc's
// vmspace, writes *si (completed with gate, mode and vmspace handle) at the
// top of a fresh stack, and starts the main thread at the ELF's entry with
// the start_info address as its argument. *image_base is where the image
// went (for debuggers). Returns 0 or an ERR_* code; on failure nothing stays mapped.
MUST_CHECK int loader_start(struct process *proc, const void *elf, size_t size,
                            struct start_info *si, vaddr_t *image_base);
