// SPDX-License-Identifier: MIT
// Crashes on purpose, to show that a user-mode fault kills only its own process.
#include <apps/crashy/env.h>
#include <protocols/echo.h>
#include <string.h>

// The instance name picks the behaviour: crashy_null, crashy_illegal,
// crashy_stack, crashy_handoff, crashy_spin, or crashy_tick (the witness:
// round trips with echo while the others misbehave). Plain "crashy" cycles
// through null, illegal, stack and handoff, one per restart, so one process
// crashes at a time.
// crashy_kstack is the one kind for in-kernel mode: it overflows its
// kernel-mode stack, which must end in a kernel panic that says so.
static struct echo_ping ping = {.data_len = 4, .data = "ping"};
static struct echo_pong pong;

static int echo_round_trip(handle_t echo) {
    int r = echo_ping_call(echo, &ping, &pong);
    if (r == 0 && (pong.data_len != 4 || memcmp(pong.data, "ping", 4) != 0))
        r = ERR_UNEXPECTED;
    return r;
}

// Runs off any stack: each frame keeps 1 KiB alive. The limit is never
// reached (it only tells the compiler the recursion could end).
static int recurse(volatile int depth) {
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth > 1 << 30)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static int tick(handle_t echo) {
    for (int i = 0; i < 50; i++) {
        int r = echo_round_trip(echo);
        if (r < 0) {
            log_error("round trip %d: %s", i, err_name(r));
            return 1;
        }
        sys_timer_now();
    }
    log_info("50 round trips done while the others misbehaved");
    return 0;
}

// The server thread of the "handoff" kind: it announces itself ("ready"),
// then answers each request on its channel end with the same bytes, replying
// and waiting for the next one in one channel_call.
static void handoff_server(void *arg) {
    handle_t ch = (handle_t)(uintptr_t)arg;
    static uint64_t buf[2];
    memcpy(buf, "ready", 5);
    int64_t info = MSGINFO(MSG_DATA, 5, 0);
    while (info >= 0)
        info = sys_channel_call(ch, MSGINFO(MSG_DATA, MSGINFO_LEN(info), 0), buf, sizeof(buf),
                                NULL);
}

// The "handoff" kind: round trips with a thread of our own that answers in
// channel_call, so that each message goes straight to the waiting thread
// (the kernel's handoff), then a NULL load while that thread waits after
// handing over its last reply: its process's end must take it out of that
// wait cleanly (references, buffers, pages).
#define HANDOFF_ROUND_TRIPS 10
static int handoff_then_crash(void) {
    handle_t a, b, poll;
    if (ch_create(&a, &b) < 0 || thread_start(handoff_server, (void *)(uintptr_t)b, 0) < 0 ||
        (poll = (handle_t)sys_poll_create()) <= 0 || sys_poll_add(poll, a, POLL_READABLE, 0) < 0) {
        log_error("handoff: no channel, thread or poll");
        return 2;
    }
    // Once "ready" has come, the server waits in channel_call with nothing queued.
    static uint64_t buf[2];
    struct poll_event ev;
    if (sys_poll_wait(poll, &ev, 1, 1000000000) != 1 || sys_channel_recv(a, buf, sizeof(buf), NULL) < 0) {
        log_error("handoff: the server thread did not start");
        return 2;
    }
    struct sysinfo_ipc before, after;
    sys_sysinfo(SYSINFO_IPC, &before, sizeof(before));
    for (int i = 0; i < HANDOFF_ROUND_TRIPS; i++) {
        memcpy(buf, "ping", 4);
        int64_t r = sys_channel_call(a, MSGINFO(MSG_DATA, 4, 0), buf, sizeof(buf), NULL);
        if (r < 0 || MSGINFO_LEN(r) != 4 || memcmp(buf, "ping", 4) != 0) {
            log_error("handoff: round trip %d: %s", i, r < 0 ? err_name((int)r) : "wrong reply");
            return 2;
        }
    }
    sys_sysinfo(SYSINFO_IPC, &after, sizeof(after));
    log_info("handoff: %llu of %d messages handed over; about to crash while the server waits",
             (unsigned long long)(after.handoffs - before.handoffs), 2 * HANDOFF_ROUND_TRIPS);
    return *(volatile int *)0;
}

// The kind for plain "crashy": by how often init has restarted us.
static const char *kind_by_restarts(void) {
    static const char *const kinds[] = {"null", "illegal", "stack", "handoff"};
    static struct sysinfo_instance recs[32];
    int64_t n = sys_sysinfo(SYSINFO_INSTANCES, recs, sizeof(recs));
    for (int64_t i = 0; i < n / (int64_t)sizeof(recs[0]); i++) {
        if (strcmp(recs[i].name, app_name()) == 0)
            return kinds[recs[i].restarts % 4];
    }
    return "";
}

int app_main(const struct crashy_env *env) {
    const char *name = app_name();
    const char *kind = strchr(name, '_') ? strchr(name, '_') + 1 : kind_by_restarts();
    if (strcmp(kind, "kstack") == 0) {
        if (app_mode() != ISOLATION_IN_KERNEL) {
            log_error("kstack is for in-kernel mode (in %s mode it is just 'stack')",
                      app_mode_name(app_mode()));
            return 2;
        }
        log_info("about to overflow the kernel-mode stack");
        return recurse(0);
    }
    if (app_mode() != ISOLATION_USER) {
        log_error("refusing to crash in %s mode (it would take the kernel down)", app_mode_name(app_mode()));
        return 2;
    }
    handle_t echo = env->echo; // 0 if the system does not wire one
    // A peer that must see us go: one round trip first, so echo knows us.
    if (echo > 0 && echo_round_trip(echo) < 0)
        log_warn("echo did not answer");
    if (strcmp(kind, "tick") == 0)
        return tick(echo);
    log_info("about to %s", kind);
    if (strcmp(kind, "null") == 0)
        return *(volatile int *)0;
    if (strcmp(kind, "illegal") == 0)
        __builtin_trap();
    if (strcmp(kind, "stack") == 0)
        return recurse(0);
    if (strcmp(kind, "handoff") == 0)
        return handoff_then_crash();
    if (strcmp(kind, "spin") == 0)
        for (;;)
            ;
    log_error("unknown kind '%s'", kind);
    return 2;
}
