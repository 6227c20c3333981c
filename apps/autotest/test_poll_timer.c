// SPDX-License-Identifier: MIT
// Poll and timer tests, and the library's event loop on top of them.
#include "autotest.h"
#include <stellina/server.h>

void test_poll_basic(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    struct poll_event ev[4];
    CHECK_OK(sys_poll_add(p, b, POLL_READABLE, 0xabcdef0123ull));
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), ERR_TIMED_OUT);
    CHECK_EQ(sys_poll_wait(p, ev, 4, 5 * MS), ERR_TIMED_OUT);
    CHECK_OK(send_bytes(a, 1, 1));
    CHECK_EQ(sys_poll_wait(p, ev, 4, SOON_NS), 1);
    CHECK(ev[0].handle == b && ev[0].events == POLL_READABLE && ev[0].cookie == 0xabcdef0123ull,
          "event h %d ev %#x cookie %#llx", ev[0].handle, ev[0].events,
          (unsigned long long)ev[0].cookie);
    // Level-triggered: still readable until received.
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), 1);
    CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), ERR_TIMED_OUT);
    // WRITABLE: the peer queue has room.
    CHECK_OK(sys_poll_update(p, b, POLL_WRITABLE));
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), 1);
    CHECK(ev[0].events == POLL_WRITABLE, "events %#x", ev[0].events);
    CHECK_OK(send_bytes(a, 1, 1)); // readable now, but not asked for
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), 1);
    CHECK(ev[0].events == POLL_WRITABLE, "events %#x (masked by interests)", ev[0].events);
    CHECK_OK(sys_poll_update(p, b, POLL_READABLE | POLL_WRITABLE));
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), 1);
    CHECK(ev[0].events == (POLL_READABLE | POLL_WRITABLE), "events %#x", ev[0].events);
    CHECK_OK(sys_poll_remove(p, b));
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), ERR_TIMED_OUT);
    CHECK_EQ(sys_poll_remove(p, b), ERR_NOT_FOUND);
    CHECK_EQ(sys_poll_update(p, b, POLL_READABLE), ERR_NOT_FOUND);
    // Added again with a new cookie.
    CHECK_OK(sys_poll_add(p, b, POLL_READABLE, 7));
    CHECK_EQ(sys_poll_wait(p, ev, 4, 0), 1);
    CHECK(ev[0].cookie == 7, "cookie %llu", (unsigned long long)ev[0].cookie);
    CHECK(sys_poll_add(p, b, POLL_READABLE, 8) < 0, "duplicate poll_add succeeded");
    CHECK_OK(sys_handle_close(p));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_poll_errors(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    struct poll_event ev;
    CHECK_EQ(sys_poll_add(p, 0, POLL_READABLE, 0), ERR_BAD_HANDLE);
    CHECK_EQ(sys_poll_add(p, NEVER_OPENED, POLL_READABLE, 0), ERR_BAD_HANDLE);
    CHECK_EQ(sys_poll_add(0, b, POLL_READABLE, 0), ERR_BAD_HANDLE);
    CHECK_EQ(sys_poll_add(a, b, POLL_READABLE, 0), ERR_WRONG_TYPE);
    CHECK_EQ(sys_poll_add(p, b, 1u << 10, 0), ERR_INVALID_ARG);
    CHECK_EQ(sys_poll_update(a, b, POLL_READABLE), ERR_WRONG_TYPE);
    CHECK_EQ(sys_poll_remove(a, b), ERR_WRONG_TYPE);
    CHECK_EQ(sys_poll_wait(a, &ev, 1, 0), ERR_WRONG_TYPE);
    CHECK_EQ(sys_poll_wait(p, &ev, 1, -2), ERR_INVALID_ARG); // only -1 means forever
    CHECK_EQ(sys_poll_wait(-1, &ev, 1, 0), ERR_BAD_HANDLE);
    // Bad event pointers, with an event ready to be written.
    CHECK_OK(sys_poll_add(p, b, POLL_READABLE, 1));
    CHECK_OK(send_bytes(a, 1, 1));
    CHECK_EQ(sys_poll_wait(p, NULL, 1, 0), ERR_BAD_ADDR);
    CHECK_EQ(sys_poll_wait(p, BAD_PTR, 1, 0), ERR_BAD_ADDR);
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), 1); // the event was not lost
    // A read-only duplicate of the poll cannot change it.
    handle_t ro = (handle_t)CHECK_OK(sys_handle_dup(p, RIGHT_READ));
    CHECK_EQ(sys_poll_add(ro, a, POLL_READABLE, 0), ERR_NOT_ALLOWED);
    CHECK_OK(sys_handle_close(ro));
    CHECK_OK(sys_handle_close(p));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), ERR_BAD_HANDLE);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_poll_multiple(void) {
    enum { N = 6 };
    handle_t a[N], b[N];
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    for (int i = 0; i < N; i++) {
        CHECK_OK(new_channel(&a[i], &b[i]));
        CHECK_OK(sys_poll_add(p, b[i], POLL_READABLE, 100 + (uint64_t)i));
    }
    for (int i = 0; i < N; i += 2)
        CHECK_OK(send_bytes(a[i], (uint8_t)i, 1));
    struct poll_event ev[N];
    int64_t n = CHECK_OK(sys_poll_wait(p, ev, N, SOON_NS));
    CHECK_EQ(n, N / 2);
    unsigned seen = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t k = ev[i].cookie - 100;
        CHECK(k < N && k % 2 == 0 && ev[i].handle == b[k], "event %lld: h %d cookie %llu",
              (long long)i, ev[i].handle, (unsigned long long)ev[i].cookie);
        seen |= 1u << k;
    }
    CHECK_EQ(seen, 0x15);
    // max limits how many come back.
    CHECK_EQ(sys_poll_wait(p, ev, 1, 0), 1);
    // Closing a watched handle drops it from the poll.
    CHECK_OK(sys_handle_close(b[0]));
    CHECK_EQ(sys_poll_wait(p, ev, N, 0), N / 2 - 1);
    for (int i = 0; i < N; i++) {
        CHECK_OK(sys_handle_close(a[i]));
        if (i != 0)
            CHECK_OK(sys_handle_close(b[i]));
    }
    CHECK_OK(sys_handle_close(p));
}

void test_timer_fire(void) {
    handle_t t = (handle_t)CHECK_OK(sys_timer_create());
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_OK(sys_poll_add(p, t, POLL_READABLE, 3));
    struct poll_event ev;
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), ERR_TIMED_OUT); // a new timer is disarmed
    int64_t start = CHECK_OK(sys_timer_now());
    int64_t deadline = start + 10 * MS;
    CHECK_OK(sys_timer_set(t, deadline));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    int64_t now = CHECK_OK(sys_timer_now());
    CHECK(now >= deadline, "fired %lld ns early", (long long)(deadline - now));
    CHECK(ev.handle == t && ev.events == POLL_READABLE && ev.cookie == 3, "event wrong");
    // Stays readable until re-armed or disarmed.
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), 1);
    // A deadline in the past fires at once.
    CHECK_OK(sys_timer_set(t, 1));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    CHECK_EQ(sys_timer_set(0, 1), ERR_BAD_HANDLE);
    CHECK_EQ(sys_timer_set(p, 1), ERR_WRONG_TYPE);
    handle_t ro = (handle_t)CHECK_OK(sys_handle_dup(t, RIGHT_READ));
    CHECK_EQ(sys_timer_set(ro, 1), ERR_NOT_ALLOWED);
    CHECK_OK(sys_handle_close(ro));
    CHECK_OK(sys_handle_close(p));
    CHECK_OK(sys_handle_close(t));
}

void test_timer_rearm_disarm(void) {
    handle_t t = (handle_t)CHECK_OK(sys_timer_create());
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_OK(sys_poll_add(p, t, POLL_READABLE, 0));
    struct poll_event ev;
    // Re-arming a fired timer makes it unreadable until the new deadline.
    CHECK_OK(timer_after(t, 0));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    CHECK_OK(timer_after(t, 10000 * MS));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), ERR_TIMED_OUT);
    // Re-arming while armed replaces the deadline: the far one is forgotten.
    int64_t deadline = CHECK_OK(sys_timer_now()) + 5 * MS;
    CHECK_OK(sys_timer_set(t, deadline));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    CHECK(sys_timer_now() >= deadline, "fired early");
    // Re-arming to later while armed: the earlier deadline must not fire.
    CHECK_OK(timer_after(t, 5 * MS));
    CHECK_OK(timer_after(t, 10000 * MS));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 30 * MS), ERR_TIMED_OUT);
    // Disarmed: never fires.
    CHECK_OK(timer_after(t, 5 * MS));
    CHECK_OK(sys_timer_set(t, -1));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 30 * MS), ERR_TIMED_OUT);
    // Disarming a fired timer clears its readiness.
    CHECK_OK(sys_timer_set(t, 1));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    CHECK_OK(sys_timer_set(t, -1));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), ERR_TIMED_OUT);
    CHECK_OK(sys_handle_close(p));
    CHECK_OK(sys_handle_close(t));
}

void test_timer_close_armed(void) {
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    handle_t t = (handle_t)CHECK_OK(sys_timer_create());
    CHECK_OK(sys_poll_add(p, t, POLL_READABLE, 1));
    CHECK_OK(timer_after(t, 2 * MS));
    CHECK_OK(sys_handle_close(t));
    // Many armed timers closed at once, some due soon.
    for (int i = 0; i < 20; i++) {
        handle_t u = (handle_t)CHECK_OK(sys_timer_create());
        CHECK_OK(timer_after(u, (i % 4) * MS));
        CHECK_OK(sys_handle_close(u));
    }
    // A live timer fires later than all of them; only it may be reported.
    handle_t live = (handle_t)CHECK_OK(sys_timer_create());
    CHECK_OK(sys_poll_add(p, live, POLL_READABLE, 2));
    CHECK_OK(timer_after(live, 10 * MS));
    struct poll_event ev[4];
    int64_t n = CHECK_OK(sys_poll_wait(p, ev, 4, SOON_NS));
    CHECK(n == 1 && ev[0].cookie == 2 && ev[0].handle == live, "%lld events, first cookie %llu",
          (long long)n, (unsigned long long)ev[0].cookie);
    CHECK_OK(sys_handle_close(live));
    CHECK_EQ(sys_poll_wait(p, ev, 4, 5 * MS), ERR_TIMED_OUT);
    CHECK_OK(sys_handle_close(p));
}

void test_timer_now_monotonic(void) {
    int64_t prev = CHECK_OK(sys_timer_now());
    for (int i = 0; i < 1000; i++) {
        int64_t now = CHECK_OK(sys_timer_now());
        CHECK(now >= prev, "went back from %lld to %lld", (long long)prev, (long long)now);
        prev = now;
    }
    int64_t start = prev;
    CHECK_OK(sleep_ns(3 * MS));
    int64_t end = CHECK_OK(sys_timer_now());
    CHECK(end - start >= 3 * MS, "slept 3 ms, clock moved %lld ns", (long long)(end - start));
}

// The library's event loop: a timer, a channel, a callback that removes itself.
struct loop_state {
    handle_t a, b, timer;
    int timer_fired, messages;
};

static void on_loop_msg(struct loop *loop, handle_t h, uint32_t events, void *arg) {
    struct loop_state *s = arg;
    while (sys_channel_recv(h, test_buf, sizeof(test_buf), test_handles) >= 0)
        s->messages++;
    if (s->messages == 3) {
        loop_remove(loop, h); // removing itself from inside its callback
        loop_stop(loop, 42);
    }
}

static void on_loop_timer(struct loop *loop, handle_t h, uint32_t events, void *arg) {
    struct loop_state *s = arg;
    s->timer_fired++;
    send_bytes(s->a, 1, 1);
    if (s->timer_fired < 3)
        timer_after(h, 1 * MS); // one-shot: fires again only when re-armed
}

void test_lib_loop(void) {
    static struct loop loop;
    static struct loop_state s;
    memset(&s, 0, sizeof(s));
    CHECK_OK(loop_init(&loop));
    CHECK_OK(new_channel(&s.a, &s.b));
    CHECK_OK(loop_add(&loop, s.b, POLL_READABLE, on_loop_msg, &s));
    CHECK(loop_add(&loop, s.b, POLL_READABLE, on_loop_msg, &s) < 0, "added twice");
    s.timer = CHECK_OK(loop_add_timer(&loop, 1 * MS, on_loop_timer, &s));
    CHECK_EQ(loop_run(&loop), 42);
    CHECK(s.timer_fired == 3 && s.messages == 3, "timer %d, messages %d", s.timer_fired,
          s.messages);
    CHECK_EQ(loop_remove(&loop, s.b), ERR_NOT_FOUND);
    CHECK_OK(loop_remove(&loop, s.timer));
    CHECK_EQ(loop_run(&loop), 0); // nothing left to wait for
    loop_destroy(&loop);
    CHECK_OK(sys_handle_close(s.timer));
    CHECK_OK(sys_handle_close(s.a));
    CHECK_OK(sys_handle_close(s.b));
}

static void on_unused_client(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
}

// server.h: "Up to SERVE_PROTOCOLS_MAX protocols; ERR_NO_MEMORY beyond" (the loop never
// runs: this app has no clients). Last in the list: "init" stays in this loop.
void test_lib_serve_protocols_max(void) {
    static struct loop loop;
    static const char *names[] = {"p0", "p1", "p2", "p3", "p4", "p5"};
    _Static_assert(SERVE_PROTOCOLS_MAX < 6, "names");
    CHECK_OK(loop_init(&loop));
    for (int i = 0; i < SERVE_PROTOCOLS_MAX; i++)
        CHECK_OK(loop_serve_protocol(&loop, names[i], on_unused_client, NULL));
    CHECK_EQ(loop_serve_protocol(&loop, names[SERVE_PROTOCOLS_MAX], on_unused_client, NULL),
             ERR_NO_MEMORY);
    // The default callback still has its own slot.
    CHECK_OK(loop_serve(&loop, on_unused_client, NULL));
}
