// SPDX-License-Identifier: MIT
// What the host stub arch offers tests: catching panics, counting object destructions, a clock.
#pragma once
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

// While host_panic_armed is true, panic() records its message in
// host_panic_message and longjmps to host_panic_jmp instead of aborting.
extern jmp_buf host_panic_jmp;
extern volatile bool host_panic_armed;
extern char host_panic_message[512];

// The fake kobj_release (fake_kobj.c) counts the objects whose last
// reference went ("destructions"; nothing is freed).
extern size_t host_kobj_destroyed;

// The clock is host_now_ns (ticks are nanoseconds), set by the test; the
// one-shot timer records its last deadline and how often it was set.
extern uint64_t host_now_ns;
extern uint64_t host_timer_deadline;
extern unsigned host_timer_sets;
