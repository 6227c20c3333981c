// SPDX-License-Identifier: MIT
// Poll readiness bits and the event record poll_wait fills in.
#pragma once
#include <stdint.h>

// Readiness is level-triggered: an event is reported for as long as it holds.
#define POLL_READABLE (1u << 0) // a message, a fired timer, a pending interrupt, console input
#define POLL_WRITABLE (1u << 1) // the peer queue has room
#define POLL_CLOSED   (1u << 2) // the peer end is gone (always reported, never needs asking)

struct poll_event {
    int32_t handle;   // the watched handle
    uint32_t events;  // POLL_* bits that hold now, masked by the interests
    uint64_t cookie;  // what was given to poll_add
};

#define POLL_WAIT_FOREVER (-1) // timeout_ns for poll_wait: no timeout
