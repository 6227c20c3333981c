// SPDX-License-Identifier: MIT
// Kernel timers: a sorted list of deadlines on the monotonic clock, driving the arch one-shot timer.
#pragma once
#include "common.h"
#include "list.h"

struct ktimer {
    struct list_node node; // linked while armed
    uint64_t deadline_ns;
    void (*fire)(struct ktimer *kt); // called with interrupts disabled, after unlinking
};

void ktimer_init(struct ktimer *kt, void (*fire)(struct ktimer *kt));
// (Re)arms kt: a queued timer is first unlinked, so re-arming never corrupts the list.
void ktimer_arm(struct ktimer *kt, uint64_t deadline_ns);
static inline bool ktimer_is_armed(const struct ktimer *kt) {
    return list_node_is_linked(&kt->node);
}
// Disarms kt if armed; safe to call on an unarmed timer. Inline: every
// wake-up cancels its thread's timeout, and most have none.
static inline void ktimer_cancel(struct ktimer *kt) {
    if (ktimer_is_armed(kt))
        list_remove(&kt->node);
}
// Fires every expired timer and programs the next interrupt (deadline or end of slice).
void ktimer_run_expired(void);
// ktimer_run_expired for the arch timer's interrupt: whatever was programmed is spent.
void ktimer_interrupt(void);
// Programs the arch timer for the earliest of the next deadline and
// `slice_end` (0: no slice); `now_ns` is arch_now_ns() as the caller just read it.
void ktimer_program(uint64_t slice_end_ns, uint64_t now_ns);
