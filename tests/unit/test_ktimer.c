// SPDX-License-Identifier: MIT
// Host tests of the kernel timers (kernel/core/ktimer.c) against the host arch's
// clock and one-shot timer (kernel/arch/host/host.c).
// UNIT_SOURCES: kernel/core/ktimer.c
#include "harness.h"
#include "host.h"
#include "ktimer.h"

#define SEC 1000000000ull

struct test_timer {
    struct ktimer kt;
    int id;
};
static int fired[8], num_fired;

static void on_fire(struct ktimer *kt) {
    fired[num_fired++] = LIST_CONTAINER(kt, struct test_timer, kt)->id;
}

static void init_timers(struct test_timer *t, int n) {
    for (int i = 0; i < n; i++) {
        ktimer_init(&t[i].kt, on_fire);
        t[i].id = i;
    }
}

// Each test starts at `now` with no timer programmed and nothing fired.
static void fresh(uint64_t now) {
    host_now_ns = now;
    ktimer_interrupt(); // forgets what was programmed; no timers are armed
    num_fired = 0;
}

// A deadline further away than the arch timer waits (x86_64: 10 s) gets an
// early interrupt, after which the timer must be set again: a one-shot timer
// that is not set stays silent, and an idle system would never wake.
TEST(interrupt_before_the_deadline_sets_the_timer_again) {
    fresh(1000);
    struct test_timer t;
    init_timers(&t, 1);
    ktimer_arm(&t.kt, 20 * SEC);
    EXPECT_EQ(host_timer_deadline, 20 * SEC);
    unsigned sets = host_timer_sets;
    host_now_ns = 10 * SEC; // the arch's early interrupt
    ktimer_interrupt();
    EXPECT_EQ(num_fired, 0);
    EXPECT_EQ(host_timer_sets, sets + 1);
    EXPECT_EQ(host_timer_deadline, 20 * SEC);
    host_now_ns = 20 * SEC;
    ktimer_interrupt();
    EXPECT_EQ(num_fired, 1);
}

// A deadline of 0 is in the past like any other: the timer is set at once
// (not left for the next unrelated interrupt, such as the slice's end).
TEST(deadline_zero_is_programmed_at_once) {
    fresh(5000);
    struct test_timer t;
    init_timers(&t, 1);
    unsigned sets = host_timer_sets;
    ktimer_arm(&t.kt, 0);
    EXPECT_EQ(host_timer_sets, sets + 1);
    EXPECT_LE(host_timer_deadline, 5000);
    ktimer_interrupt();
    EXPECT_EQ(num_fired, 1);
}

// Earlier deadlines first, equal ones in arming order; a cancelled timer never fires.
TEST(timers_fire_in_deadline_then_arming_order) {
    fresh(0);
    struct test_timer t[5];
    init_timers(t, 5);
    ktimer_arm(&t[0].kt, 7 * SEC);
    ktimer_arm(&t[1].kt, 7 * SEC);
    ktimer_arm(&t[2].kt, 3 * SEC);
    ktimer_arm(&t[3].kt, 7 * SEC);
    ktimer_arm(&t[4].kt, 7 * SEC);
    ktimer_cancel(&t[1].kt);
    EXPECT_EQ(host_timer_deadline, 3 * SEC);
    host_now_ns = 7 * SEC;
    ktimer_interrupt();
    EXPECT_EQ(num_fired, 4);
    int want[] = {2, 0, 3, 4};
    for (int i = 0; i < 4; i++)
        EXPECT_EQ(fired[i], want[i]);
}
