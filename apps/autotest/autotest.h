// SPDX-License-Identifier: MIT
// The autotest framework: check macros, shared helpers and the list of test functions.
#pragma once
#include <stdbool.h>
#include <string.h>
#include <apps/autotest/env.h>
#include <protocols/echo.h>

// An address no app has mapped: the kernel must refuse it with ERR_BAD_ADDR.
#define BAD_PTR ((void *)(uintptr_t)0x1000)
// A handle number nobody opened (tables grow on demand from 1).
#define NEVER_OPENED ((handle_t)0x7ffff)
// Generous bound for anything that should happen "soon" (TCG is slow).
#define SOON_NS (2000000000ll)
#define MS (1000000ll)

// Records why the running test failed (the first reason wins).
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
// The name of a syscall result: "OK", an ERR_* name, or "value".
const char *res_name(int64_t r);

// Each CHECK returns from the test function on failure.
#define CHECK(cond, ...)                                \
    do {                                                \
        if (!(cond)) {                                  \
            test_fail(__FILE__, __LINE__, __VA_ARGS__); \
            return;                                     \
        }                                               \
    } while (0)

// expr must equal want (both int64).
#define CHECK_EQ(expr, want)                                                            \
    do {                                                                                \
        int64_t r_ = (int64_t)(expr), w_ = (int64_t)(want);                             \
        if (r_ != w_) {                                                                 \
            test_fail(__FILE__, __LINE__, "%s = %lld (%s), want %lld (%s)", #expr,      \
                      (long long)r_, res_name(r_), (long long)w_, res_name(w_));        \
            return;                                                                     \
        }                                                                               \
    } while (0)

// expr must equal one of two acceptable results (where the ABI leaves a choice).
#define CHECK_ONE_OF(expr, w1, w2)                                                      \
    do {                                                                                \
        int64_t r_ = (int64_t)(expr);                                                   \
        if (r_ != (int64_t)(w1) && r_ != (int64_t)(w2)) {                               \
            test_fail(__FILE__, __LINE__, "%s = %lld (%s), want %s or %s", #expr,       \
                      (long long)r_, res_name(r_), res_name(w1), res_name(w2));         \
            return;                                                                     \
        }                                                                               \
    } while (0)

// expr must succeed (>= 0); evaluates to its result.
#define CHECK_OK(expr)                                                                  \
    ({                                                                                  \
        int64_t r_ = (int64_t)(expr);                                                   \
        if (r_ < 0) {                                                                   \
            test_fail(__FILE__, __LINE__, "%s failed: %s", #expr, res_name(r_));        \
            return;                                                                     \
        }                                                                               \
        r_;                                                                             \
    })

// Helpers (helpers.c).
// Creates a channel pair (ch_create); returns 0 or an ERR_*, so wrap it in CHECK_OK.
int64_t new_channel(handle_t *a, handle_t *b);
// Sleeps at least `ns` with a timer and a poll; returns 0 or an ERR_*.
int sleep_ns(int64_t ns);
// SYSINFO_MEM free pages, or 0 on failure.
uint64_t mem_free_pages(void);
// True if `h` is an open handle of this process (checked without changing it).
bool handle_is_open(handle_t h);
// Sends a MSG_DATA message of `len` bytes of `byte` with no handles.
int64_t send_bytes(handle_t ch, uint8_t byte, size_t len);
// Receive buffers shared by the tests (one test runs at a time).
extern uint8_t test_buf[MSG_MAX_DATA + 64];
extern handle_t test_handles[MSG_MAX_HANDLES];

// The tests.
#define AUTOTEST_LIST(X)                                                                   \
    X(bad_syscall) X(log_write) X(log_read) X(log_read_wrapped) X(handle_close) X(handle_dup)                  \
    X(channel_create) X(channel_send_recv) X(channel_send_errors) X(channel_recv_errors)   \
    X(channel_msginfo_limits) X(channel_full_queue) X(channel_closed_peer)                 \
    X(channel_bad_pointers) X(channel_handle_transfer) X(channel_transfer_rights)          \
    X(channel_call_echo) X(channel_call_errors) X(channel_call_handoff)                    \
    X(channel_call_unmap_while_waiting) X(channel_call_close_while_waiting)                \
    X(channel_call_unmap_between_calls) X(channel_call_handle_reused)                      \
    X(poll_basic) X(poll_errors)                                                           \
    X(poll_multiple) X(timer_fire) X(timer_rearm_disarm) X(timer_close_armed)              \
    X(timer_now_monotonic) X(folio_map) X(folio_errors) X(interrupt)                       \
    X(thread_spawn) X(thread_spawn_errors) X(thread_wakeup) X(thread_preemption) X(sysinfo) X(console_read) X(lib_loop)            \
    X(lifetime_channels) X(lifetime_polls) X(lifetime_timers) X(lifetime_folios)           \
    X(lifetime_poll_channel) X(lib_serve_protocols_max)

#define AUTOTEST_DECLARE(name) void test_##name(void);
AUTOTEST_LIST(AUTOTEST_DECLARE)
