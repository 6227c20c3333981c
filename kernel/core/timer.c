// SPDX-License-Identifier: MIT
// Timer objects: a one-shot deadline on the monotonic clock, readable once it has passed.
#include "timer.h"
#include "kmalloc.h"

static void timer_fired(struct ktimer *kt) {
    struct timer *t = LIST_CONTAINER(kt, struct timer, kt);
    t->fired = true;
    kobj_notify(&t->obj);
}

struct timer *timer_create(void) {
    struct timer *t = kmalloc(sizeof(*t));
    if (!t)
        return NULL;
    kobj_init(&t->obj, KOBJ_TIMER);
    ktimer_init(&t->kt, timer_fired);
    return t;
}

void timer_set(struct timer *t, int64_t deadline_ns) {
    t->fired = false;
    if (deadline_ns < 0)
        ktimer_cancel(&t->kt);
    else
        ktimer_arm(&t->kt, (uint64_t)deadline_ns); // re-arming unlinks first
}

void timer_destroy(struct kobj *obj) {
    struct timer *t = (struct timer *)obj;
    ktimer_cancel(&t->kt); // a queued timer must never outlive its object
    kfree(t);
}
