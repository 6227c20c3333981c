// SPDX-License-Identifier: MIT
// Micro benchmarks: null syscall and channel round trips (8 B, 1 KiB), printed as BENCH lines.
//
// Each figure is a line "BENCH <key> <value>". One app, two roles, chosen by the
// environment the system spec gives it:
//  - the client (an instance with env.peer) times the workloads and prints the figures;
//  - the peer (no env.peer) answers every request on the channel init connects it to.
// The round trip goes to a peer *instance* (its own process, in the same mode as the
// client), not a second thread: that is the counterpart of Linux's pipe between two
// processes, and in user mode it includes the address-space switch.
//
// Times are sys_timer_now() nanoseconds; under QEMU's -icount shift=0,sleep=off one
// guest nanosecond is one guest instruction, so every figure is an instruction count
// per operation (the loop's own few instructions included, as on Linux).
// An instance whose name ends in "_smoke" runs one iteration of each workload (the
// `make test` smoke run); otherwise ITERATIONS. Ends with "BENCH DONE".
#include <stellina/server.h>
#include <apps/bench/env.h>
#include <string.h>

#define ITERATIONS 10000
// The null syscall: a number the kernel does not have. It measures the gate, the
// dispatch and the return, and nothing else (Linux's getppid does a little more).
#define SYS_NULL 0

static struct msg msg;
static long iterations = ITERATIONS;

static const char *mode_key(void) {
    return app_mode() == ISOLATION_USER ? "user" : "kernel";
}

// Prints "BENCH <what>_insns_<mode> <per-iteration>", rounded to the nearest instruction.
static void report(const char *what, int64_t start, int64_t end) {
    int64_t per = (end - start + iterations / 2) / iterations;
    printf("BENCH %s_insns_%s %lld\n", what, mode_key(), (long long)per);
}

static void failed(const char *what, int err) {
    printf("BENCH %s_insns_%s failed %s\n", what, mode_key(), err_name(err));
}

static void bench_null_syscall(void) {
    int64_t r = sys_call(SYS_NULL, 0, 0, 0, 0, 0);
    if (r != ERR_BAD_SYSCALL) {
        failed("null_syscall", (int)r);
        return;
    }
    int64_t t0 = sys_timer_now();
    for (long i = 0; i < iterations; i++)
        sys_call(SYS_NULL, 0, 0, 0, 0, 0);
    report("null_syscall", t0, sys_timer_now());
}

// One request of `len` bytes and its reply through SYS_CHANNEL_CALL; returns 0 or an ERR_*.
// The reply must be the request's msginfo exactly (kind, length, no handles).
static int64_t call_once(handle_t peer, size_t len) {
    int64_t info = MSGINFO(MSG_DATA, len, 0);
    int64_t r = sys_channel_call(peer, info, msg.data, sizeof(msg.data), msg.handles);
    if (r == info)
        return 0;
    return r < 0 ? r : ERR_UNEXPECTED;
}

static void bench_round_trip(const char *what, handle_t peer, size_t len) {
    memset(msg.data, 0x5a, len);
    // One untimed call: both sides scheduled in and warm.
    int64_t r = call_once(peer, len);
    if (r < 0) {
        failed(what, (int)r);
        return;
    }
    int64_t t0 = sys_timer_now();
    for (long i = 0; i < iterations && r == 0; i++)
        r = call_once(peer, len);
    int64_t t1 = sys_timer_now();
    if (r < 0)
        failed(what, (int)r);
    else
        report(what, t0, t1);
}

static int run_client(handle_t peer) {
    int64_t started = sys_timer_now();
    size_t name_len = strlen(app_name());
    if (name_len >= 6 && strcmp(app_name() + name_len - 6, "_smoke") == 0)
        iterations = 1;
    printf("BENCH mode %s\n", app_mode_name(app_mode()));
    printf("BENCH iterations %ld\n", iterations);
    // Instructions from boot to this app's main (the kernel's boot and init's work).
    printf("BENCH boot_to_app_insns_%s %lld\n", mode_key(), (long long)started);
    bench_null_syscall();
    bench_round_trip("ipc_rtt_8b", peer, 8);
    bench_round_trip("ipc_rtt_1k", peer, 1024);
    sys_handle_close(peer);
    printf("BENCH DONE\n");
    return 0;
}

// The peer: answers the first request the loop hands it, then stays in a tight
// reply-and-wait loop (SYS_CHANNEL_CALL sends the reply and blocks for the next
// request) until the client closes its end.
static void on_client(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
    int r = ch_recv(ch, &msg);
    if (r == ERR_EMPTY)
        return;
    int64_t info = 0;
    if (r == 0) {
        msg_close_handles(&msg);
        info = MSGINFO(msg.kind, msg.len, 0);
        while (info >= 0) {
            info = sys_channel_call(ch, MSGINFO(MSGINFO_KIND(info), MSGINFO_LEN(info), 0), msg.data,
                                    sizeof(msg.data), msg.handles);
            if (info >= 0 && MSGINFO_HANDLES(info) > 0) {
                msg.nhandles = MSGINFO_HANDLES(info);
                msg_close_handles(&msg); // requests carry no handles; drop any
            }
        }
    }
    // The client is done (ERR_CLOSED) or broke the protocol: either way this peer is done.
    if (info != ERR_CLOSED && r != ERR_CLOSED)
        log_warn("client %d: %s", ch, err_name(r < 0 ? r : (int)info));
    loop_remove(loop, ch);
    sys_handle_close(ch);
    loop_stop(loop, 0);
}

static int run_peer(void) {
    struct loop loop;
    int r = loop_init(&loop);
    if (r == 0)
        r = loop_serve(&loop, on_client, NULL);
    if (r < 0) {
        log_error("peer: %s", err_name(r));
        return 1;
    }
    r = loop_run(&loop);
    loop_destroy(&loop);
    return r < 0 ? 1 : 0;
}

int app_main(const struct bench_env *env) {
    return env->peer > 0 ? run_client(env->peer) : run_peer();
}
