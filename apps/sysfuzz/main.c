// SPDX-License-Identifier: MIT
// sysfuzz's driver: runs the in-kernel instance then the user one, and reports both in autotest's format.
//
// systems/test-sysfuzz.toml starts two instances of this app. "sysfuzz_k"
// runs in-kernel and waits on its init channel for the user-mode instance
// (env "kfuzz"), which tells it to go, waits for its counts, then fuzzes
// itself and prints the sentinel for both. One at a time, so each run's
// memory accounting sees only its own allocations.
//
// In-kernel mode leaves out kernel addresses as pointers: an in-kernel app
// is trusted with kernel memory by design (docs/architecture.md), so what
// the kernel does with them there is not a bug. Everything else is the same.
#include "sysfuzz.h"
#include <apps/sysfuzz/env.h>
#include <stdio.h>
#include <stdlib.h>

// Since 2026-11-26 the seeds that found two mistakes of the model (the kernel
// was right both times): a receive it had given a NULL handle array itself
// predicted to succeed (in-kernel seed), and a received message's data checked
// where its handle array overlapped it (user seed).
#define SEED_USER   0x3c135f0220131ull
#define SEED_KERNEL 0x432115f022012ull
#define ITERATIONS  50000
#define MSG_RESULTS (MSG_KIND_PROTOCOL_BASE + 0x5f)

static bool failed;
static char detail[320];
static int passed, nfailed;
static const char *mode_tag;

void fuzz_fail(const char *fmt, ...) {
    if (failed)
        return;
    failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    for (char *p = detail; *p; p++) {
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
    printf("sysfuzz: invariant broken: %s\n", detail);
    trace_dump();
}

bool fuzz_failed(void) {
    return failed;
}

static void report(const char *name, const char *why) {
    if (why) {
        printf("TEST FAIL sysfuzz_%s_%s: %s\n", mode_tag, name, why);
        nfailed++;
    } else {
        printf("TEST PASS sysfuzz_%s_%s\n", mode_tag, name);
        passed++;
    }
}

int sleep_ms(int ms) {
    struct poll_event ev;
    int64_t t = sys_timer_create(), p = sys_poll_create();
    int64_t r = t < 0 ? t : p < 0 ? p : sys_timer_set((handle_t)t, sys_timer_now() + ms * 1000000ll);
    if (r == 0)
        r = sys_poll_add((handle_t)p, (handle_t)t, POLL_READABLE, 0);
    if (r == 0)
        r = sys_poll_wait((handle_t)p, &ev, 1, ms * 1000000ll + 2000000000ll);
    if (p > 0)
        sys_handle_close((handle_t)p);
    if (t > 0)
        sys_handle_close((handle_t)t);
    return r < 0 ? (int)r : 0;
}

// Memory the kernel may write into, then a warm-up that grows the handle
// table and the page tables of the mapping area as far as the run will, so
// that "memory back to the start" compares like with like.
static const char *setup(void) {
    struct mapped_folio mf;
    if (folio_map_new(SCRATCH_SIZE, 0, &mf) < 0)
        return "no scratch folio";
    scratch = mf.addr;
    if (folio_map_new(THREAD_STACKS * 4096, 0, &mf) < 0)
        return "no thread stacks";
    thread_stacks = mf.addr;
    threads_ran_reset();
    heap_block = malloc(HEAP_BLOCK);
    if (!heap_block)
        return "no heap block";
    vmspace_h = app_start_info()->vmspace;
    handle_t warm[LIVE_MAX + 16];
    for (int i = 0; i < LIVE_MAX + 16; i++)
        warm[i] = (handle_t)sys_timer_create();
    for (int i = 0; i < LIVE_MAX + 16; i++)
        sys_handle_close(warm[i]);
    struct mapped_folio mfs[MAP_MAX];
    for (int i = 0; i < MAP_MAX; i++) {
        if (folio_map_new(65536, 0, &mfs[i]) < 0)
            return "warm-up mapping failed";
    }
    for (int i = 0; i < MAP_MAX; i++)
        folio_unmap_free(&mfs[i]);
    model_init();
    objs[handles[vmspace_h].obj].type = OT_VMSPACE;
    handles[vmspace_h].rights = RIGHT_READ | RIGHT_WRITE | RIGHT_MAP; // as the loader gives it
    return NULL;
}

// Runs one instance's tests; prints a TEST line for each.
static void run_all(bool in_kernel) {
    mode_tag = in_kernel ? "kernel" : "user";
    uint64_t seed = in_kernel ? SEED_KERNEL : SEED_USER;
    const char *err = setup();
    if (err) {
        report("setup", err);
        return;
    }
    for (int i = 0; i < num_repros; i++) {
        // Each reproducer leaves nothing behind, so memory checks stay exact.
        report(repros[i].name, repros[i].fn());
    }
    report("handoff", fuzz_handoff(seed));
    uint64_t pages0 = free_pages(), heap0 = heap_bytes();
    printf("sysfuzz: %s mode, seed %#llx, %d calls; free pages %llu, kernel heap %llu bytes\n",
           app_mode_name(app_mode()), (unsigned long long)seed, ITERATIONS,
           (unsigned long long)pages0, (unsigned long long)heap0);
    struct fuzz_stats st = {0};
    int64_t t0 = sys_timer_now();
    bool ok = fuzz_run(seed, ITERATIONS, in_kernel, &st);
    printf("sysfuzz: %llu calls (%llu succeeded, %llu with unknown numbers) in %lld ms\n",
           (unsigned long long)st.calls, (unsigned long long)st.ok, (unsigned long long)st.bad_numbers,
           (long long)((sys_timer_now() - t0) / 1000000));
    report("random", ok ? NULL : detail);
    failed = false;
    fuzz_cleanup();
    sleep_ms(50); // exited threads are freed by the kernel's reaper
    const char *why = NULL;
    if (!model_check_table())
        why = detail;
    else if (threads_ran() != (uint64_t)threads_spawned) {
        snprintf(detail, sizeof(detail), "%d threads spawned, %llu ran", threads_spawned,
                 (unsigned long long)threads_ran());
        why = detail;
    }
    report("handles_closed", why);
    failed = false;
    uint64_t pages1 = free_pages(), heap1 = heap_bytes();
    static char mem[160];
    snprintf(mem, sizeof(mem), "free pages %llu -> %llu, kernel heap %llu -> %llu bytes",
             (unsigned long long)pages0, (unsigned long long)pages1, (unsigned long long)heap0,
             (unsigned long long)heap1);
    printf("sysfuzz: after cleanup: %s\n", mem);
    report("memory", pages1 == pages0 && heap1 == heap0 ? NULL : mem);
}

// Waits (bounded) for a message on ch; returns its kind or an ERR_*.
static int wait_msg(handle_t ch, struct msg *m, int64_t timeout_ns) {
    int64_t p = sys_poll_create();
    if (p < 0)
        return (int)p;
    struct poll_event ev;
    int64_t r = sys_poll_add((handle_t)p, ch, POLL_READABLE, 0);
    if (r == 0)
        r = sys_poll_wait((handle_t)p, &ev, 1, timeout_ns);
    sys_handle_close((handle_t)p);
    if (r < 0)
        return (int)r;
    r = ch_recv(ch, m);
    return r < 0 ? (int)r : (int)m->kind;
}

static struct msg msg;

// The in-kernel instance: waits for the user instance, runs, sends its counts.
static int serve_kernel_run(void) {
    handle_t init = env_handle("init");
    if (init < 0 || wait_msg(init, &msg, 60000000000ll) != MSG_CONNECT || msg.nhandles != 1) {
        log_error("no client connected");
        return 1;
    }
    handle_t client = msg.handles[0];
    if (wait_msg(client, &msg, 120000000000ll) != MSG_DATA) {
        log_error("no go from the client");
        return 1;
    }
    run_all(true);
    int32_t counts[2] = {passed, nfailed};
    int err = ch_send(client, MSG_RESULTS, counts, sizeof(counts), NULL, 0);
    if (err < 0)
        log_error("sending the results: %s", err_name(err));
    // Stay until the user instance is done: exiting now would free memory
    // while it measures its own.
    while (wait_msg(client, &msg, POLL_WAIT_FOREVER) >= 0)
        ;
    return 0;
}

int app_main(const struct sysfuzz_env *env) {
    handle_t kf = env->kfuzz > 0 ? env->kfuzz : ERR_NOT_FOUND;
    if (kf < 0 && app_mode() == ISOLATION_IN_KERNEL)
        return serve_kernel_run();
    int kpassed = 0, kfailed = 0;
    if (kf > 0) {
        // Everything this instance allocates while the in-kernel one runs (the
        // poll it waits with) is allocated before "go": that one measures the
        // kernel heap, and must not see it grow under its feet.
        static const char go[] = "go";
        int64_t p = sys_poll_create();
        int64_t r = p < 0 ? p : sys_poll_add((handle_t)p, kf, POLL_READABLE, 0);
        r = r < 0 ? r : ch_send(kf, MSG_DATA, go, sizeof(go), NULL, 0);
        struct poll_event ev;
        r = r < 0 ? r : sys_poll_wait((handle_t)p, &ev, 1, 300000000000ll);
        r = r < 0 ? r : ch_recv(kf, &msg);
        r = r < 0 ? r : (int64_t)msg.kind;
        if (p >= 0)
            sys_handle_close((handle_t)p);
        if (r == MSG_RESULTS && msg.len == 8) {
            memcpy(&kpassed, msg.data, 4);
            memcpy(&kfailed, msg.data + 4, 4);
        } else {
            printf("TEST FAIL sysfuzz_kernel_run: no results from the in-kernel instance (%s)\n",
                   r < 0 ? err_name((int)r) : "bad message");
            kfailed = 1;
        }
    }
    run_all(app_mode() == ISOLATION_IN_KERNEL);
    printf("AUTOTEST DONE: %d passed, %d failed\n", passed + kpassed, nfailed + kfailed);
    return nfailed + kfailed ? 1 : 0;
}
