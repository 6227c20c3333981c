// SPDX-License-Identifier: MIT
// Handles and their rights.
#pragma once
#include <stdint.h>

// A handle is a positive index into the caller's handle table; 0 and negatives
// are never valid handles (negatives are error codes).
typedef int32_t handle_t;

#define RIGHT_READ     (1u << 0) // receive, read state, poll for readability
#define RIGHT_WRITE    (1u << 1) // send, modify (timer_set, interrupt_ack, vmspace_map)
#define RIGHT_DUP      (1u << 2) // handle_dup
#define RIGHT_TRANSFER (1u << 3) // move it to another process in a message
#define RIGHT_MAP      (1u << 4) // map a folio, learn its physical address
#define RIGHT_ALL      (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER | RIGHT_MAP)
