// SPDX-License-Identifier: MIT
// sysfuzz's main loop: picks calls from the seeded PRNG, judges every result and checks the model against the kernel as it goes.
#include "sysfuzz.h"
#include <stdio.h>

bool fuzz_in_kernel;
static uint64_t calls_ok;
int threads_spawned;

// ---- the trace of recent calls (printed with a failure) ----------------------
#define TRACE 8
static struct {
    int64_t nr, a[5], ret;
} trace[TRACE];
static uint64_t trace_n;

void trace_call(int64_t nr, const int64_t a[5], int64_t ret) {
    trace[trace_n % TRACE].nr = nr;
    memcpy(trace[trace_n % TRACE].a, a, sizeof(trace[0].a));
    trace[trace_n % TRACE].ret = ret;
    trace_n++;
}

const void *trace_ring(size_t *size) {
    *size = sizeof(trace);
    return trace;
}

uint64_t trace_count(void) {
    return trace_n;
}

void trace_dump(void) {
    uint64_t from = trace_n > TRACE ? trace_n - TRACE : 0;
    for (uint64_t i = from; i < trace_n; i++) {
        const int64_t *a = trace[i % TRACE].a;
        printf("sysfuzz:   call #%llu: sys %lld (%#llx, %#llx, %#llx, %#llx, %#llx) = %lld (%s)\n",
               (unsigned long long)i, (long long)trace[i % TRACE].nr, (unsigned long long)a[0],
               (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)a[3],
               (unsigned long long)a[4], (long long)trace[i % TRACE].ret,
               trace[i % TRACE].ret < 0 ? err_name(trace[i % TRACE].ret) : "value");
    }
}

// The bookkeeping of a call just made. It writes the app's own .data/.bss
// (the trace ring, the counts), which a send may have read: see fz_send.
static int64_t fz_record(int64_t nr, const int64_t a[5], int64_t r) {
    trace_call(nr, a, r);
    calls_ok += r >= 0;
    if (r < 0 && r < -ERR_MAX_CODE)
        fuzz_fail("syscall %lld returned %lld, not an ERR_* code", (long long)nr, (long long)r);
    return r;
}

int64_t fz_call(int64_t nr, int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4) {
    int64_t a[5] = {a0, a1, a2, a3, a4};
    return fz_record(nr, a, sys_call(nr, a0, a1, a2, a3, a4));
}

int64_t fz_send(int64_t h, msginfo_t info, const void *data, const void *hp, uint32_t *sum) {
    int64_t a[5] = {h, (int64_t)info, (int64_t)(uintptr_t)data, (int64_t)(uintptr_t)hp, 0};
    int64_t r = sys_call(SYS_CHANNEL_SEND, a[0], a[1], a[2], a[3], 0);
    // The kernel copied the data during the call: sum it before the app
    // writes anything of its own. A send from memory of unknown extent
    // (rodata, code) may run on into the app's .data/.bss, and fz_record is
    // about to change the trace ring there: bytes written after the call
    // were never sent. (On arm64, rodata_text + 4096 reaches trace[].)
    if (r == 0)
        *sum = data_sum(data, MSGINFO_LEN(info));
    return fz_record(SYS_CHANNEL_SEND, a, r);
}

static const char *mask_names(uint32_t mask, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (int e = 0; e <= ERR_MAX_CODE && n < size; e++) {
        if (mask & (1u << e))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "", e ? err_name(-e) : "OK");
    }
    return buf;
}

bool fz_want(const char *call, int64_t ret, uint32_t mask) {
    bool ok = ret >= 0 ? (mask & X_OK) : ret >= -ERR_MAX_CODE && (mask & X(ret));
    if (!ok) {
        char names[160];
        fuzz_fail("%s returned %lld (%s), expected %s", call, (long long)ret,
                  ret < 0 ? err_name(ret) : "success", mask_names(mask, names, sizeof(names)));
    }
    return ok;
}

// ---- threads -------------------------------------------------------------------
// Spawned threads count themselves in the first word of the stacks folio,
// not in a global: they run whenever the scheduler likes, also between a
// send and fz_send's sum of it, and a send may read the app's .bss. No
// buffer the fuzzer gives the kernel lies in that folio (only stack tops do),
// and thread 0's stack grows down from the top of its 4 KiB, far from here.
static volatile uint64_t *threads_ran_word(void) {
    return (volatile uint64_t *)(uintptr_t)thread_stacks;
}

void threads_ran_reset(void) {
    *threads_ran_word() = 0;
}

uint64_t threads_ran(void) {
    return *threads_ran_word();
}

static void thread_entry(uint64_t arg) {
    __atomic_fetch_add(threads_ran_word(), arg, __ATOMIC_RELAXED);
    sys_thread_exit();
}

void op_thread_spawn(void) {
    uint64_t stacks = (uint64_t)(uintptr_t)thread_stacks;
    uint64_t pc = (uint64_t)(uintptr_t)&thread_entry, sp = stacks + (uint64_t)(threads_spawned + 1) * 4096;
    bool pc_ok = true, sp_ok = true;
    switch (rng_below(8)) {
    case 0: pc = 0, pc_ok = false; break;
    case 1: pc = (uint64_t)(uintptr_t)scratch, pc_ok = false; break; // data is not code
    case 2: pc = fuzz_in_kernel ? 0x2000 : 0xffffffff80000000ull, pc_ok = false; break;
    case 3: sp = sp - 8, sp_ok = false; break; // misaligned
    case 4: sp = stacks + THREAD_STACKS * 4096 + 16, sp_ok = false; break; // sp - 16 is the guard page
    case 5: sp = 16, sp_ok = false; break; // nobody's memory
    default: break;
    }
    if (pc_ok && sp_ok && (threads_spawned >= THREAD_STACKS || model_live() >= LIVE_MAX))
        pc = 0, pc_ok = false; // every stack slot is used once
    uint32_t want = pc_ok && sp_ok ? X_OK | X(ERR_NO_MEMORY) : X(ERR_BAD_ADDR);
    int64_t r = fz_call(SYS_THREAD_SPAWN, (int64_t)pc, 1, (int64_t)sp, 0, 0);
    if (!fz_want("thread_spawn", r, want) || r < 0)
        return;
    threads_spawned++;
    model_install((handle_t)r, model_new_obj(OT_THREAD), RIGHT_READ | RIGHT_DUP);
}

// ---- the loop --------------------------------------------------------------------
// Weights of the typed calls: channels and polls get most of the traffic.
static const uint8_t weights[SYS_MAX + 1] = {
    [SYS_LOG_WRITE] = 2, [SYS_LOG_READ] = 2, [SYS_HANDLE_CLOSE] = 8, [SYS_HANDLE_DUP] = 4,
    [SYS_CHANNEL_CREATE] = 6, [SYS_CHANNEL_SEND] = 14, [SYS_CHANNEL_RECV] = 10,
    [SYS_CHANNEL_CALL] = 4, [SYS_POLL_CREATE] = 2, [SYS_POLL_ADD] = 6, [SYS_POLL_UPDATE] = 3,
    [SYS_POLL_REMOVE] = 3, [SYS_POLL_WAIT] = 5, [SYS_FOLIO_ALLOC] = 3, [SYS_FOLIO_PADDR] = 2,
    [SYS_VMSPACE_MAP] = 3, [SYS_VMSPACE_UNMAP] = 3, [SYS_INTERRUPT_CREATE] = 1,
    [SYS_INTERRUPT_ACK] = 1, [SYS_THREAD_SPAWN] = 1, [SYS_TIMER_CREATE] = 3, [SYS_TIMER_SET] = 3,
    [SYS_TIMER_NOW] = 1, [SYS_CONSOLE_READ] = 1, [SYS_SYSINFO] = 2,
};

static int pick_syscall(void) {
    unsigned total = 0;
    for (int i = 0; i <= SYS_MAX; i++)
        total += weights[i];
    unsigned x = (unsigned)rng_below(total);
    for (int i = 0; i <= SYS_MAX; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return SYS_TIMER_NOW;
}

// A number no syscall has: zero, past SYS_MAX, negative, or huge.
static int64_t bad_number(void) {
    int64_t n;
    do {
        switch (rng_below(5)) {
        case 0: n = 0; break;
        case 1: n = SYS_MAX + 1 + (int64_t)rng_below(100); break;
        case 2: n = -(int64_t)rng_below(100) - 1; break;
        case 3: n = (int64_t)rng_next(); break;
        default: n = gen_value(); break;
        }
    } while (n >= 1 && n <= SYS_MAX);
    return n;
}

bool fuzz_run(uint64_t seed, uint64_t iters, bool in_kernel, struct fuzz_stats *st) {
    fuzz_in_kernel = in_kernel;
    calls_ok = 0;
    gen_init(in_kernel);
    rng_seed(seed);
    for (uint64_t i = 0; i < iters && !fuzz_failed(); i++) {
        if (rng_pct(4)) {
            int64_t n = bad_number();
            int64_t r = fz_call(n, gen_value(), gen_value(), gen_value(), gen_value(), gen_value());
            st->bad_numbers++;
            fz_want("an unknown syscall", r, X(ERR_BAD_SYSCALL));
        } else {
            // With many handles open, close some (a few at a time).
            int nr = model_live() >= LIVE_MAX - 2 && rng_pct(50) ? SYS_HANDLE_CLOSE : pick_syscall();
            fuzz_op(nr);
        }
        st->calls++;
        if ((i + 1) % 512 == 0 && !fuzz_failed())
            model_check_table();
        if ((i + 1) % 5000 == 0)
            printf("sysfuzz: %llu calls\n", (unsigned long long)(i + 1));
    }
    if (!fuzz_failed())
        model_check_table();
    st->ok = calls_ok;
    return !fuzz_failed();
}

void fuzz_cleanup(void) {
    for (int i = 0; i < MAP_MAX; i++) {
        if (maps[i].va) {
            if (sys_vmspace_unmap(vmspace_h, maps[i].va) != 0)
                fuzz_fail("cleanup: unmapping %#llx failed", (unsigned long long)maps[i].va);
            model_unref(maps[i].obj);
            maps[i].va = 0;
        }
    }
    for (handle_t h = 1; h < HMAX; h++) {
        if (handles[h].obj >= 0 && !handles[h].prot) {
            if (sys_handle_close(h) != 0)
                fuzz_fail("cleanup: closing handle %d failed", h);
            model_close(h);
        }
    }
}
