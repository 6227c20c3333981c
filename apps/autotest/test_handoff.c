// SPDX-License-Identifier: MIT
// The direct handoff of channel_call: calls answered by a thread that itself waits in channel_call.
#include "autotest.h"

#define KIND_ECHO (MSG_KIND_PROTOCOL_BASE + 0x40) // reply: each byte + 1, same length
#define KIND_BIG  (MSG_KIND_PROTOCOL_BASE + 0x42) // reply: BIG_REPLY bytes
#define KIND_QUIT (MSG_KIND_PROTOCOL_BASE + 0x44) // no reply: the responder closes its end
#define BIG_REPLY 100
#define RESPONDER_MAX_CALLS 100000

// Answers every request with a call, as a server's reply-and-wait loop does,
// so that both sides of each exchange wait in channel_call: the kernel hands
// each message straight to the waiting thread. The reply's kind is the
// request's + 1 and carries back whatever handles the request brought. The
// first call says "ready"; KIND_QUIT (or an error) ends the loop.
static void responder(void *arg) {
    handle_t ch = (handle_t)(uintptr_t)arg;
    static uint8_t buf[MSG_MAX_DATA];
    static handle_t hs[MSG_MAX_HANDLES];
    int64_t info = MSGINFO(MSG_DATA, 0, 0);
    for (int i = 0; i < RESPONDER_MAX_CALLS; i++) {
        info = sys_channel_call(ch, info, buf, sizeof(buf), hs);
        if (info < 0 || MSGINFO_KIND(info) == KIND_QUIT)
            break;
        uint32_t len = MSGINFO_LEN(info);
        if (MSGINFO_KIND(info) == KIND_BIG) {
            len = BIG_REPLY;
            memset(buf, 0xb1, len);
        } else {
            for (uint32_t j = 0; j < len; j++)
                buf[j]++;
        }
        info = MSGINFO(MSGINFO_KIND(info) + 1, len, MSGINFO_HANDLES(info));
    }
    sys_handle_close(ch);
}

static bool ipc_stats(struct sysinfo_ipc *s) {
    return sys_sysinfo(SYSINFO_IPC, s, sizeof(*s)) == sizeof(*s);
}

void test_channel_call_handoff(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t th = (handle_t)CHECK_OK(thread_start(responder, (void *)(uintptr_t)b, 0));
    // The responder's "ready" finds nobody waiting: it is queued, and the
    // responder waits in channel_call at b.
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_OK(sys_poll_add(p, a, POLL_READABLE, 0));
    struct poll_event ev;
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    // A call while a message waits at the caller's end answers with that
    // message, the oldest, at once; the request is queued for the responder,
    // not handed over (a handoff would leave the caller asleep with a message
    // queued, and the reply would overtake it).
    test_buf[0] = 41;
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 1, 0), test_buf, sizeof(test_buf), test_handles),
             MSGINFO(MSG_DATA, 0, 0));
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1); // the responder's answer, queued
    CHECK_EQ(sys_channel_recv(a, test_buf, sizeof(test_buf), test_handles), MSGINFO(KIND_ECHO + 1, 1, 0));
    CHECK(test_buf[0] == 42, "answer %u", test_buf[0]);
    CHECK_OK(sys_handle_close(p));

    // Requests of every size, both ways handed over; no memory kept per call.
    static const uint32_t sizes[] = {0, 1, 8, 100, MSG_MAX_DATA};
    struct sysinfo_ipc before, after;
    uint64_t pages = 0;
    int calls = 0;
    for (int round = 0; round < 200; round++) {
        if (round == 2) { // warmed up: buffers allocated once are kept from here on
            pages = mem_free_pages();
            CHECK(ipc_stats(&before), "sysinfo");
        }
        uint32_t len = sizes[round % (sizeof(sizes) / sizeof(sizes[0]))];
        for (uint32_t j = 0; j < len; j++)
            test_buf[j] = (uint8_t)(j * 7 + round);
        int64_t info = sys_channel_call(a, MSGINFO(KIND_ECHO, len, 0), test_buf, sizeof(test_buf),
                                        test_handles);
        CHECK_EQ(info, MSGINFO(KIND_ECHO + 1, len, 0));
        for (uint32_t j = 0; j < len; j++)
            CHECK(test_buf[j] == (uint8_t)(j * 7 + round + 1), "round %d byte %u", round, j);
        calls += round >= 2;
    }
    CHECK(ipc_stats(&after), "sysinfo");
    CHECK_EQ(mem_free_pages(), pages);
    // Each call is one request and one reply, and each was handed over.
    CHECK_EQ(after.messages_sent - before.messages_sent, 2 * calls);
    CHECK_EQ(after.messages_received - before.messages_received, 2 * calls);
    CHECK_EQ(after.handoffs - before.handoffs, 2 * calls);

    // Bad calls while the responder waits: the same errors as with nobody
    // waiting, nothing sent or handed over, and the responder still waits.
    CHECK(ipc_stats(&before), "sysinfo");
    handle_t write_only = (handle_t)CHECK_OK(sys_handle_dup(a, RIGHT_WRITE));
    msginfo_t echo1 = MSGINFO(KIND_ECHO, 1, 0);
    CHECK_EQ(sys_channel_call(write_only, echo1, test_buf, sizeof(test_buf), test_handles),
             ERR_NOT_ALLOWED);
    CHECK_OK(sys_handle_close(write_only));
    CHECK_EQ(sys_channel_call(a, (msginfo_t)((uint64_t)echo1 | (1ull << 13)), test_buf,
                              sizeof(test_buf), test_handles),
             ERR_INVALID_ARG);
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, MSG_MAX_DATA + 1, 0), test_buf,
                              sizeof(test_buf), test_handles),
             ERR_TOO_LARGE);
    CHECK_EQ(sys_channel_call(a, echo1, BAD_PTR, sizeof(test_buf), test_handles), ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_call(a, echo1, test_buf, -1, test_handles), ERR_INVALID_ARG);
    test_handles[0] = NEVER_OPENED;
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 1, 1), test_buf, sizeof(test_buf), test_handles),
             ERR_BAD_HANDLE);
    CHECK(ipc_stats(&after), "sysinfo");
    CHECK_EQ(after.messages_sent - before.messages_sent, 0);
    CHECK_EQ(after.handoffs - before.handoffs, 0);
    test_buf[0] = 7;
    CHECK_EQ(sys_channel_call(a, echo1, test_buf, sizeof(test_buf), test_handles),
             MSGINFO(KIND_ECHO + 1, 1, 0));
    CHECK(test_buf[0] == 8, "answer %u", test_buf[0]);

    // A reply bigger than the caller's buffer: ERR_TOO_SMALL, and it stays
    // queued for a receive with room.
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_BIG, 1, 0), test_buf, 16, test_handles), ERR_TOO_SMALL);
    CHECK_EQ(sys_channel_recv(a, test_buf, sizeof(test_buf), test_handles),
             MSGINFO(KIND_BIG + 1, BIG_REPLY, 0));
    CHECK(test_buf[0] == 0xb1 && test_buf[BIG_REPLY - 1] == 0xb1, "big reply differs");

    // A reply that would run off the end of the caller's mapping: ERR_BAD_ADDR,
    // nothing written, and the reply still queued.
    struct mapped_folio mf;
    CHECK_OK(folio_map_new(PAGE_SIZE, 0, &mf));
    uint8_t *edge = (uint8_t *)mf.addr + mf.size - 8;
    memset(edge, 0x5c, 8);
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_BIG, 1, 0), edge, BIG_REPLY, test_handles),
             ERR_BAD_ADDR);
    CHECK(edge[0] == 0x5c && edge[7] == 0x5c, "a failed receive wrote to the buffer");
    CHECK_OK(folio_unmap_free(&mf));
    CHECK_EQ(sys_channel_recv(a, test_buf, sizeof(test_buf), test_handles),
             MSGINFO(KIND_BIG + 1, BIG_REPLY, 0));

    // A call carrying a handle is queued, not handed over; the handle makes
    // the trip there and back and still works.
    handle_t c, d;
    CHECK_OK(new_channel(&c, &d));
    CHECK(ipc_stats(&before), "sysinfo");
    test_handles[0] = c;
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 0, 1), test_buf, sizeof(test_buf), test_handles),
             MSGINFO(KIND_ECHO + 1, 0, 1));
    CHECK(ipc_stats(&after), "sysinfo");
    CHECK_EQ(after.handoffs - before.handoffs, 0);
    handle_t back = test_handles[0];
    CHECK_OK(send_bytes(d, 0x42, 3));
    CHECK_EQ(sys_channel_recv(back, test_buf, sizeof(test_buf), test_handles), MSGINFO(MSG_DATA, 3, 0));
    CHECK_OK(sys_handle_close(back));
    CHECK_OK(sys_handle_close(d));

    // The responder closes its end instead of answering: a caller waiting for
    // a reply sees ERR_CLOSED.
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_QUIT, 0, 0), test_buf, sizeof(test_buf), test_handles),
             ERR_CLOSED);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(th));
}

// What a thread waiting in channel_call does with its reply buffer in a
// mapped folio: "ready", then one call whose result it records; with
// close_first set, it first closes that handle of its own process (the
// caller's end, while the caller waits) and then replies.
static struct mapped_folio waiter_buf;
static volatile int64_t waiter_result;
static handle_t waiter_closes;

static void waiter(void *arg) {
    handle_t ch = (handle_t)(uintptr_t)arg;
    static handle_t hs[MSG_MAX_HANDLES];
    uint8_t *buf = (uint8_t *)waiter_buf.addr;
    waiter_result = sys_channel_call(ch, MSGINFO(MSG_DATA, 0, 0), buf, waiter_buf.size, hs);
    if (waiter_result >= 0 && waiter_closes) {
        sys_handle_close(waiter_closes);
        buf[0] = 0x77;
        waiter_result = sys_channel_call(ch, MSGINFO(KIND_ECHO + 1, 8, 0), buf, waiter_buf.size, hs);
    }
    sys_handle_close(ch);
}

// Receives the waiter's "ready": it then waits in channel_call at its end.
static int64_t waiter_ready(handle_t a) {
    handle_t p = (handle_t)sys_poll_create();
    sys_poll_add(p, a, POLL_READABLE, 0);
    struct poll_event ev;
    int64_t r = sys_poll_wait(p, &ev, 1, SOON_NS);
    sys_handle_close(p);
    return r == 1 ? sys_channel_recv(a, test_buf, sizeof(test_buf), test_handles) : ERR_TIMED_OUT;
}

// The waiter's reply buffer is unmapped (by another thread of its process)
// while it waits: a call to it must not write there (in-kernel, where the
// message would be copied straight in, that would be a kernel fault); the
// waiter gets ERR_BAD_ADDR, the caller ERR_CLOSED when it gives up.
void test_channel_call_unmap_while_waiting(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK_OK(folio_map_new(PAGE_SIZE, 0, &waiter_buf));
    waiter_closes = 0;
    handle_t th = (handle_t)CHECK_OK(thread_start(waiter, (void *)(uintptr_t)b, 0));
    CHECK_EQ(waiter_ready(a), MSGINFO(MSG_DATA, 0, 0));
    CHECK_OK(folio_unmap_free(&waiter_buf));
    memset(test_buf, 0x11, 8);
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 8, 0), test_buf, sizeof(test_buf), test_handles),
             ERR_CLOSED);
    CHECK_EQ(waiter_result, ERR_BAD_ADDR);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(th));
}

// The caller's buffer is unmapped between two calls with the same buffer:
// the second call's range was checked by the first (ipc_reply_checked), and
// the unmap must make the kernel check it again: ERR_BAD_ADDR (in-kernel the
// copy from it would be a kernel fault), nothing handed over, and the
// responder still waits. Then a read-only page mapped at the same address:
// the request can be read, the reply not written, so no handoff (in user
// mode, where the copies are guarded, this is what tells that the range was
// checked again); the request goes the general way and the reply stays queued.
void test_channel_call_unmap_between_calls(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t th = (handle_t)CHECK_OK(thread_start(responder, (void *)(uintptr_t)b, 0));
    CHECK_EQ(waiter_ready(a), MSGINFO(MSG_DATA, 0, 0));
    struct mapped_folio mf;
    CHECK_OK(folio_map_new(PAGE_SIZE, 0, &mf));
    uint8_t *buf = mf.addr;
    size_t size = mf.size;
    for (uint8_t i = 0; i < 3; i++) {
        buf[0] = i;
        CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 8, 0), buf, size, test_handles),
                 MSGINFO(KIND_ECHO + 1, 8, 0));
        CHECK(buf[0] == i + 1, "reply byte %u", buf[0]);
    }
    struct sysinfo_ipc before, after;
    CHECK(ipc_stats(&before), "sysinfo");
    CHECK_OK(folio_unmap_free(&mf));
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 8, 0), buf, size, test_handles), ERR_BAD_ADDR);
    CHECK(ipc_stats(&after), "sysinfo");
    CHECK_EQ(after.handoffs, before.handoffs);

    const struct start_info *si = app_start_info();
    handle_t ro = (handle_t)CHECK_OK(sys_folio_alloc(PAGE_SIZE));
    int64_t va = CHECK_OK(sys_vmspace_map(si->vmspace, ro, PROT_READ));
    // The address just freed is the one the next mapping takes.
    CHECK(va == (int64_t)(uintptr_t)buf, "read-only page at %llx, not %p", (unsigned long long)va,
          (void *)buf);
    CHECK(ipc_stats(&before), "sysinfo");
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 8, 0), buf, size, test_handles), ERR_BAD_ADDR);
    CHECK(ipc_stats(&after), "sysinfo");
    CHECK_EQ(after.handoffs, before.handoffs);
    CHECK_EQ(sys_channel_recv(a, test_buf, sizeof(test_buf), test_handles),
             MSGINFO(KIND_ECHO + 1, 8, 0));
    CHECK_OK(sys_vmspace_unmap(si->vmspace, (uintptr_t)va));
    CHECK_OK(sys_handle_close(ro));
    test_buf[0] = 5;
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 1, 0), test_buf, sizeof(test_buf), test_handles),
             MSGINFO(KIND_ECHO + 1, 1, 0));
    CHECK(test_buf[0] == 6, "reply byte %u", test_buf[0]);
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_QUIT, 0, 0), test_buf, sizeof(test_buf), test_handles),
             ERR_CLOSED);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(th));
}

// A thread that waits once in channel_call at the end arg >> 1 (a 0-byte
// "ready" message) and records what it got in waiter_results[arg & 1].
static volatile int64_t waiter_results[2];

static void waiter_once(void *arg) {
    uintptr_t a = (uintptr_t)arg;
    static uint8_t bufs[2][64];
    static handle_t hs[2][MSG_MAX_HANDLES];
    waiter_results[a & 1] =
        sys_channel_call((handle_t)(a >> 1), MSGINFO(MSG_DATA, 0, 0), bufs[a & 1], 64, hs[a & 1]);
}

// A call's handle is closed and its number reused by a handle to the same
// end without RIGHT_WRITE: the next call on that number is ERR_NOT_ALLOWED.
// The kernel remembers the last handle a call looked up (handles.call_hit);
// had it not forgotten it at the close, the call would be handed to the
// thread still waiting at the peer end.
void test_channel_call_handle_reused(void) {
    handle_t x, y;
    CHECK_OK(new_channel(&x, &y));
    waiter_results[0] = waiter_results[1] = 1;
    handle_t w1 = (handle_t)CHECK_OK(thread_start(waiter_once, (void *)(uintptr_t)(y << 1), 0));
    CHECK_EQ(waiter_ready(x), MSGINFO(MSG_DATA, 0, 0));
    handle_t w2 = (handle_t)CHECK_OK(thread_start(waiter_once, (void *)(uintptr_t)(y << 1 | 1), 0));
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_OK(sys_poll_add(p, x, POLL_READABLE, 0));
    struct poll_event ev;
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    CHECK_OK(sys_handle_close(p));
    // Both threads wait at y, and the second one's "ready" is queued at x. A
    // call on x is looked up, finds that message and returns it; its request
    // wakes both threads, and the first one takes it while we sleep: the
    // second waits at y again.
    handle_t x2 = (handle_t)CHECK_OK(sys_handle_dup(x, RIGHT_READ | RIGHT_WRITE | RIGHT_DUP));
    test_buf[0] = 1;
    CHECK_EQ(sys_channel_call(x, MSGINFO(KIND_ECHO, 1, 0), test_buf, sizeof(test_buf), test_handles),
             MSGINFO(MSG_DATA, 0, 0));
    CHECK_EQ(sleep_ns(20 * MS), 0);
    CHECK_EQ(waiter_results[0], MSGINFO(KIND_ECHO, 1, 0));
    CHECK_OK(sys_handle_close(x));
    handle_t ro = (handle_t)CHECK_OK(sys_handle_dup(x2, RIGHT_READ));
    CHECK_EQ(ro, x);
    CHECK_EQ(sys_channel_call(ro, MSGINFO(KIND_ECHO, 1, 0), test_buf, sizeof(test_buf), test_handles),
             ERR_NOT_ALLOWED);
    CHECK_OK(send_bytes(x2, 0x42, 3)); // for the second thread
    CHECK_EQ(sleep_ns(20 * MS), 0);
    CHECK_EQ(waiter_results[1], MSGINFO(MSG_DATA, 3, 0));
    CHECK_OK(sys_handle_close(ro));
    CHECK_OK(sys_handle_close(x2));
    CHECK_OK(sys_handle_close(y));
    CHECK_OK(sys_handle_close(w1));
    CHECK_OK(sys_handle_close(w2));
}

// Another thread of the caller's process closes the caller's handle while it
// waits: the reply still arrives (the wait holds the channel), and the
// channel goes away after it, so the waiter's next call sees ERR_CLOSED.
void test_channel_call_close_while_waiting(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK_OK(folio_map_new(PAGE_SIZE, 0, &waiter_buf));
    waiter_closes = a;
    handle_t th = (handle_t)CHECK_OK(thread_start(waiter, (void *)(uintptr_t)b, 0));
    CHECK_EQ(waiter_ready(a), MSGINFO(MSG_DATA, 0, 0));
    memset(test_buf, 0x11, 8);
    CHECK_EQ(sys_channel_call(a, MSGINFO(KIND_ECHO, 8, 0), test_buf, sizeof(test_buf), test_handles),
             MSGINFO(KIND_ECHO + 1, 8, 0));
    CHECK(test_buf[0] == 0x77, "reply byte %u", test_buf[0]);
    CHECK(!handle_is_open(a), "the caller's handle is still open");
    CHECK_OK(sys_handle_close(th));
    CHECK_EQ(sleep_ns(20 * MS), 0);
    CHECK_EQ(waiter_result, ERR_CLOSED);
    CHECK_OK(folio_unmap_free(&waiter_buf));
}
