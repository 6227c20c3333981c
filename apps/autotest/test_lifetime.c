// SPDX-License-Identifier: MIT
// Object lifetime: many create/close cycles must give every page back.
#include "autotest.h"

#define CYCLES 1000

// Runs `body` (which returns 0 or an ERR_*) a few times to warm caches up,
// then CYCLES times, and checks that free pages are back where they were.
#define LIFETIME_TEST(body)                                                              \
    do {                                                                                 \
        for (int i = 0; i < 4; i++)                                                      \
            CHECK_OK(body);                                                              \
        uint64_t before = mem_free_pages();                                              \
        CHECK(before > 0, "sysinfo failed");                                             \
        for (int i = 0; i < CYCLES; i++) {                                               \
            int64_t r = (body);                                                          \
            CHECK(r >= 0, "cycle %d: %s", i, res_name(r));                               \
        }                                                                                \
        uint64_t after = mem_free_pages();                                               \
        CHECK(after == before, "free pages %llu before, %llu after %d cycles",           \
              (unsigned long long)before, (unsigned long long)after, CYCLES);            \
    } while (0)

static int64_t cycle_channel(void) {
    handle_t a, b;
    int64_t r = new_channel(&a, &b);
    if (r < 0)
        return r;
    // A queued message (and a queued handle) must be freed with the channel too.
    handle_t c, d;
    r = new_channel(&c, &d);
    if (r == 0) {
        sys_handle_close(d);
        r = sys_channel_send(a, MSGINFO(MSG_DATA, 100, 1), test_buf, &c);
        if (r < 0)
            sys_handle_close(c);
    }
    sys_handle_close(a);
    sys_handle_close(b);
    return r;
}

static int64_t cycle_poll(void) {
    int64_t p = sys_poll_create();
    if (p < 0)
        return p;
    return sys_handle_close((handle_t)p);
}

static int64_t cycle_timer(void) {
    int64_t t = sys_timer_create();
    if (t < 0)
        return t;
    int64_t r = timer_after((handle_t)t, 1000 * MS); // closed while armed
    sys_handle_close((handle_t)t);
    return r;
}

static int64_t cycle_folio(void) {
    const struct start_info *si = app_start_info();
    int64_t f = sys_folio_alloc(2 * PAGE_SIZE);
    if (f < 0)
        return f;
    int64_t va = sys_vmspace_map(si->vmspace, (handle_t)f, PROT_READ | PROT_WRITE);
    if (va >= 0) {
        *(volatile uint8_t *)(uintptr_t)va = 1;
        va = sys_vmspace_unmap(si->vmspace, (uintptr_t)va);
    }
    sys_handle_close((handle_t)f);
    return va;
}

// A poll watching a channel; `poll_first` picks which is closed first.
static int64_t cycle_poll_channel(bool poll_first) {
    handle_t a, b;
    int64_t r = new_channel(&a, &b);
    if (r < 0)
        return r;
    int64_t p = sys_poll_create();
    if (p >= 0) {
        r = sys_poll_add((handle_t)p, a, POLL_READABLE, 0);
        if (r == 0)
            r = sys_poll_add((handle_t)p, b, POLL_READABLE, 1);
        if (poll_first)
            sys_handle_close((handle_t)p);
    } else {
        r = p;
    }
    sys_handle_close(a);
    sys_handle_close(b);
    if (p >= 0 && !poll_first)
        sys_handle_close((handle_t)p);
    return r;
}

static int64_t cycle_poll_channel_both(void) {
    int64_t r = cycle_poll_channel(true);
    return r < 0 ? r : cycle_poll_channel(false);
}

void test_lifetime_channels(void) {
    LIFETIME_TEST(cycle_channel());
}

void test_lifetime_polls(void) {
    LIFETIME_TEST(cycle_poll());
}

void test_lifetime_timers(void) {
    LIFETIME_TEST(cycle_timer());
}

void test_lifetime_folios(void) {
    LIFETIME_TEST(cycle_folio());
}

void test_lifetime_poll_channel(void) {
    LIFETIME_TEST(cycle_poll_channel_both());
}
