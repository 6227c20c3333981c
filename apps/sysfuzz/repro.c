// SPDX-License-Identifier: MIT
// Minimal reproducers of the kernel bugs sysfuzz found, kept as deterministic tests that fail until the kernel is fixed.
#include "sysfuzz.h"
#include <stdio.h>

uint64_t heap_bytes(void) {
    struct sysinfo_mem m;
    return sys_sysinfo(SYSINFO_MEM, &m, sizeof(m)) == (int64_t)sizeof(m) ? m.heap_bytes_used : 0;
}

uint64_t free_pages(void) {
    struct sysinfo_mem m;
    return sys_sysinfo(SYSINFO_MEM, &m, sizeof(m)) == (int64_t)sizeof(m) ? m.free_pages : 0;
}

static char why[160];

// Numbers that name no syscall, including ones whose low 32 bits do.
static const char *bad_numbers(void) {
    static const int64_t nrs[] = {0, SYS_MAX + 1, SYS_MAX + 2, 64, 255, 256, 1000, -1, -2,
                                  -SYS_LOG_WRITE, INT64_MIN, INT64_MAX, (1ll << 32) | SYS_TIMER_NOW,
                                  (1ll << 32) | SYS_HANDLE_CLOSE, 1ll << 40, -(1ll << 32)};
    for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
        int64_t r = sys_call(nrs[i], 1, 2, 3, 4, 5);
        if (r != ERR_BAD_SYSCALL) {
            snprintf(why, sizeof(why), "syscall %#llx returned %lld (%s), want ERR_BAD_SYSCALL",
                     (unsigned long long)nrs[i], (long long)r, r < 0 ? err_name(r) : "value");
            return why;
        }
    }
    return NULL;
}

// Regression test (found by the random run): two channel ends that each
// held the other in their queue kept each other alive after the app closed
// every handle. The kernel now refuses to transfer an end with channels
// queued at it, so the second send fails and nothing leaks.
//   a,b = channel_create; c,d = channel_create
//   channel_send(b, handles=[c])   // c waits in a's queue
//   channel_send(d, handles=[a])   // a waits in c's queue
//   handle_close(b); handle_close(d)
// Now nothing can ever reach a or c, but each holds a reference to the other.
static const char *channel_cycle_leak(void) {
    uint64_t before = heap_bytes();
    handle_t a, b, c, d;
    if (ch_create(&a, &b) < 0 || ch_create(&c, &d) < 0)
        return "channel_create failed";
    int64_t r1 = sys_channel_send(b, MSGINFO(MSG_DATA, 0, 1), NULL, &c);
    int64_t r2 = sys_channel_send(d, MSGINFO(MSG_DATA, 0, 1), NULL, &a);
    sys_handle_close(b);
    sys_handle_close(d);
    if (r1 < 0 || r2 < 0) {
        // Refusing the second send (the one that closes the cycle) is a fix too.
        if (r1 == 0 && r2 < 0)
            sys_handle_close(a);
        if (r1 < 0)
            sys_handle_close(c);
    }
    uint64_t after = heap_bytes();
    if (after != before) {
        snprintf(why, sizeof(why), "kernel heap %llu bytes before, %llu after closing everything (%s)",
                 (unsigned long long)before, (unsigned long long)after,
                 r2 < 0 ? err_name(r2) : "both sends accepted");
        return why;
    }
    return NULL;
}

// Regression test: handle arguments were cut to 32 bits, so 0x100000000 + h
// named handle h: handle_close((1 << 32) | t) closed timer t instead of
// failing with ERR_BAD_HANDLE.
static const char *handle_high_bits(void) {
    int64_t t = sys_timer_create();
    if (t < 0)
        return "timer_create failed";
    int64_t r = sys_call(SYS_HANDLE_CLOSE, (1ll << 32) | t, 0, 0, 0, 0);
    bool open = handle_open((handle_t)t);
    if (open)
        sys_handle_close((handle_t)t);
    if (r != ERR_BAD_HANDLE || !open) {
        snprintf(why, sizeof(why), "handle_close(%#llx) = %s, handle %lld %s",
                 (unsigned long long)((1ll << 32) | t), r < 0 ? err_name(r) : "OK", (long long)t,
                 open ? "still open" : "was closed");
        return why;
    }
    return NULL;
}

// Regression test of the model (the arm64-only "received 4096 bytes that
// differ from what was sent"): a send from memory of unknown extent was
// summed after fz_call had recorded the call in its trace ring. On arm64,
// 4096 bytes from rodata_text run on into .bss up to that ring, so the
// model's sum took in a trace entry written after the kernel had copied the
// data, and the (correct) received bytes failed to match. fz_send sums the
// data before any bookkeeping; this sends the ring itself to prove it.
static const char *send_sum_before_bookkeeping(void) {
    handle_t a, b;
    if (ch_create(&a, &b) < 0)
        return "channel_create failed";
    size_t len;
    const void *ring = trace_ring(&len);
    uint32_t sum = 0;
    int64_t r = fz_send(a, MSGINFO(MSG_DATA, len, 0), ring, NULL, &sum);
    // Into scratch: nothing the fuzzer itself writes in the meantime.
    int64_t got = r == 0 ? sys_channel_recv(b, scratch, SCRATCH_SIZE, NULL) : r;
    sys_handle_close(a);
    sys_handle_close(b);
    if (r != 0 || got < 0) {
        snprintf(why, sizeof(why), "send of the trace ring: %s, receive: %s", err_name(r),
                 err_name(got));
        return why;
    }
    if (MSGINFO_LEN((msginfo_t)got) != len || data_sum(scratch, len) != sum) {
        snprintf(why, sizeof(why), "received %u bytes of the trace ring that differ from the model's sum",
                 MSGINFO_LEN((msginfo_t)got));
        return why;
    }
    return NULL;
}

const struct repro repros[] = {
    {"bad_numbers", bad_numbers},
    {"channel_cycle_leak", channel_cycle_leak},
    {"handle_high_bits", handle_high_bits},
    {"send_sum_before_bookkeeping", send_sum_before_bookkeeping},
};
const int num_repros = sizeof(repros) / sizeof(repros[0]);
