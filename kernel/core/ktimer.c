// SPDX-License-Identifier: MIT
// Kernel timers: a sorted list of deadlines on the monotonic clock, driving the arch one-shot timer.
#include "ktimer.h"

static struct list timers = {{&timers.head, &timers.head}}; // sorted by deadline, earliest first
static uint64_t programmed_slice_end;
static uint64_t programmed_deadline; // what the arch timer is set to (0: nothing)

void ktimer_init(struct ktimer *kt, void (*fire)(struct ktimer *kt)) {
    kt->node.prev = kt->node.next = NULL;
    kt->deadline_ns = 0;
    kt->fire = fire;
}

void ktimer_arm(struct ktimer *kt, uint64_t deadline_ns) {
    ktimer_cancel(kt);
    // 0 is as much in the past as 1, but ktimer_program reads 0 as "nothing".
    deadline_ns = MAX(deadline_ns, 1);
    kt->deadline_ns = deadline_ns;
    struct list_node *pos = timers.head.next;
    while (pos != &timers.head && LIST_CONTAINER(pos, struct ktimer, node)->deadline_ns <= deadline_ns)
        pos = pos->next;
    list_insert_before(pos, &kt->node);
    ktimer_program(programmed_slice_end, arch_now_ns());
}

void ktimer_program(uint64_t slice_end_ns, uint64_t now) {
    programmed_slice_end = slice_end_ns;
    uint64_t next = slice_end_ns;
    struct list_node *first = list_front(&timers);
    if (first) {
        uint64_t d = LIST_CONTAINER(first, struct ktimer, node)->deadline_ns;
        if (next == 0 || d < next)
            next = d;
    }
    // An interrupt earlier than needed is harmless (its handler reprograms),
    // so leave the timer alone when it will fire in time anyway: on some
    // arches setting it is a firmware call, and switches happen often.
    bool in_time = programmed_deadline > now && programmed_deadline <= next;
    if (next && !in_time) {
        arch_timer_set(next);
        programmed_deadline = next;
    }
}

void ktimer_interrupt(void) {
    // The arch timer is off after its interrupt (one-shot, or switched off by
    // the arch's handler), and the interrupt may have come before the
    // deadline (x86_64 waits at most 10 s at a time): set it again.
    programmed_deadline = 0;
    ktimer_run_expired();
}

void ktimer_run_expired(void) {
    uint64_t now = arch_now_ns();
    struct list_node *first;
    // fire() may arm other timers (or this one again): re-read the head each time.
    while ((first = list_front(&timers)) != NULL) {
        struct ktimer *kt = LIST_CONTAINER(first, struct ktimer, node);
        if (kt->deadline_ns > now)
            break;
        list_remove(&kt->node);
        kt->fire(kt);
    }
    // Read the clock again: fire() took time, and a stale `now` could take a
    // deadline that just passed for one still to come, and never reprogram.
    ktimer_program(programmed_slice_end, arch_now_ns());
}
