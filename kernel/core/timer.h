// SPDX-License-Identifier: MIT
// Timer objects: a one-shot deadline on the monotonic clock, readable once it has passed.
#pragma once
#include "common.h"
#include "kobj.h"
#include "ktimer.h"

struct timer {
    struct kobj obj;
    struct ktimer kt;
    bool fired; // readable until re-armed or disarmed
};

struct timer *timer_create(void);
// Arms at deadline_ns (absolute), or disarms if deadline_ns < 0. Clears `fired`.
void timer_set(struct timer *t, int64_t deadline_ns);
void timer_destroy(struct kobj *obj);
