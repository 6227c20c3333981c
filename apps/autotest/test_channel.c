// SPDX-License-Identifier: MIT
// Channel tests: send/recv, limits, backpressure, closed peers, bad pointers, handle transfer, call.
#include "autotest.h"

void test_channel_create(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK(a > 0 && b > 0 && a != b, "ends %d and %d", a, b);
    CHECK_EQ(sys_channel_create(NULL), ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_create(BAD_PTR), ERR_BAD_ADDR);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_channel_send_recv(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    static const char hello[] = "hello, stellina";
    CHECK_OK(sys_channel_send(a, MSGINFO(0x1234, sizeof(hello), 0), hello, NULL));
    CHECK_OK(sys_channel_send(a, MSGINFO(MSG_CLOSE, 0, 0), NULL, NULL)); // empty message
    int64_t info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(MSGINFO_KIND(info), 0x1234);
    CHECK_EQ(MSGINFO_LEN(info), sizeof(hello));
    CHECK_EQ(MSGINFO_HANDLES(info), 0);
    CHECK(!memcmp(test_buf, hello, sizeof(hello)), "data differs");
    info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(info, MSGINFO(MSG_CLOSE, 0, 0));
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    // The other direction works too, with a full-size message.
    CHECK_OK(send_bytes(b, 0x5a, MSG_MAX_DATA));
    info = CHECK_OK(sys_channel_recv(a, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(MSGINFO_LEN(info), MSG_MAX_DATA);
    for (size_t i = 0; i < MSG_MAX_DATA; i++)
        CHECK(test_buf[i] == 0x5a, "byte %zu is %u", i, test_buf[i]);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_channel_send_errors(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    msginfo_t mi = MSGINFO(MSG_DATA, 1, 0);
    CHECK_EQ(sys_channel_send(0, mi, "x", NULL), ERR_BAD_HANDLE);
    CHECK_EQ(sys_channel_send(-1, mi, "x", NULL), ERR_BAD_HANDLE);
    CHECK_EQ(sys_channel_send(NEVER_OPENED, mi, "x", NULL), ERR_BAD_HANDLE);
    handle_t t = (handle_t)CHECK_OK(sys_timer_create());
    CHECK_EQ(sys_channel_send(t, mi, "x", NULL), ERR_WRONG_TYPE);
    CHECK_OK(sys_handle_close(t));
    // Fewer rights: a read-only duplicate cannot send.
    handle_t ro = (handle_t)CHECK_OK(sys_handle_dup(a, RIGHT_READ));
    CHECK_EQ(sys_channel_send(ro, mi, "x", NULL), ERR_NOT_ALLOWED);
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    CHECK_OK(sys_handle_close(ro));
    // A closed handle.
    CHECK_OK(sys_handle_close(a));
    CHECK_EQ(sys_channel_send(a, mi, "x", NULL), ERR_BAD_HANDLE);
    CHECK_OK(sys_handle_close(b));
}

void test_channel_recv_errors(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK_EQ(sys_channel_recv(0, test_buf, sizeof(test_buf), test_handles), ERR_BAD_HANDLE);
    CHECK_EQ(sys_channel_recv(-1, test_buf, sizeof(test_buf), test_handles), ERR_BAD_HANDLE);
    CHECK_EQ(sys_channel_recv(NEVER_OPENED, test_buf, sizeof(test_buf), test_handles),
             ERR_BAD_HANDLE);
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_EQ(sys_channel_recv(p, test_buf, sizeof(test_buf), test_handles), ERR_WRONG_TYPE);
    CHECK_OK(sys_handle_close(p));
    handle_t wo = (handle_t)CHECK_OK(sys_handle_dup(b, RIGHT_WRITE));
    CHECK_OK(send_bytes(a, 7, 100));
    CHECK_EQ(sys_channel_recv(wo, test_buf, sizeof(test_buf), test_handles), ERR_NOT_ALLOWED);
    CHECK_OK(sys_handle_close(wo));
    // Too small a buffer: nothing is consumed.
    CHECK_EQ(sys_channel_recv(b, test_buf, 99, test_handles), ERR_TOO_SMALL);
    CHECK_EQ(sys_channel_recv(b, test_buf, 0, test_handles), ERR_TOO_SMALL);
    int64_t info = CHECK_OK(sys_channel_recv(b, test_buf, 100, test_handles));
    CHECK_EQ(MSGINFO_LEN(info), 100);
    CHECK(test_buf[0] == 7 && test_buf[99] == 7, "data differs");
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_BAD_HANDLE);
}

void test_channel_msginfo_limits(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t hs[MSG_MAX_HANDLES + 1];
    for (int i = 0; i < MSG_MAX_HANDLES + 1; i++)
        hs[i] = a; // never looked at: the header is refused first
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, MSG_MAX_DATA + 1, 0), test_buf, NULL),
             ERR_TOO_LARGE);
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 0x1fff, 0), test_buf, NULL), ERR_TOO_LARGE);
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 0, MSG_MAX_HANDLES + 1), NULL, hs),
             ERR_TOO_LARGE);
    // Reserved bits: 13, 19, 31 and 63 (which also makes msginfo negative).
    // The calls go to a channel whose peer is gone, so that a kernel that
    // wrongly accepts the header answers ERR_CLOSED instead of blocking.
    handle_t e, f;
    CHECK_OK(new_channel(&e, &f));
    CHECK_OK(sys_handle_close(f));
    static const uint64_t reserved[] = {1ull << 13, 1ull << 19, 1ull << 31, 1ull << 63};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        msginfo_t mi = (msginfo_t)((uint64_t)MSGINFO(MSG_DATA, 1, 0) | reserved[i]);
        CHECK_EQ(sys_channel_send(a, mi, test_buf, NULL), ERR_INVALID_ARG);
        CHECK_EQ(sys_channel_call(e, mi, test_buf, sizeof(test_buf), test_handles),
                 ERR_INVALID_ARG);
    }
    CHECK_OK(sys_handle_close(e));
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    // The limits themselves are fine.
    CHECK_OK(sys_channel_send(a, MSGINFO(0x7fffffff, MSG_MAX_DATA, 0), test_buf, NULL));
    int64_t info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(info, MSGINFO(0x7fffffff, MSG_MAX_DATA, 0));
    CHECK_EQ(ch_send(a, MSG_DATA, test_buf, MSG_MAX_DATA + 1, NULL, 0), ERR_TOO_LARGE);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_channel_full_queue(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    uint32_t n = 0;
    int64_t r;
    for (;;) {
        CHECK(n < 100000, "no ERR_FULL after %u messages", n);
        r = sys_channel_send(a, MSGINFO(MSG_DATA, sizeof(n), 0), &n, NULL);
        if (r < 0)
            break;
        n++;
    }
    CHECK_EQ(r, ERR_FULL);
    CHECK(n > 0, "the queue holds no message at all");
    // Still full: a second try fails the same way and changes nothing.
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 0), NULL, NULL), ERR_FULL);
    for (uint32_t i = 0; i < n; i++) {
        int64_t info = sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles);
        CHECK(info >= 0, "recv %u of %u: %s", i, n, res_name(info));
        uint32_t seq;
        memcpy(&seq, test_buf, sizeof(seq));
        CHECK(MSGINFO_LEN(info) == sizeof(seq) && seq == i, "message %u carries %u", i, seq);
    }
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    CHECK_OK(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 0), NULL, NULL));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_channel_closed_peer(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    for (uint8_t i = 0; i < 3; i++)
        CHECK_OK(send_bytes(a, i, 10 + i));
    CHECK_OK(sys_handle_close(a));
    CHECK_EQ(send_bytes(b, 1, 1), ERR_CLOSED);
    // POLL_CLOSED is reported though only READABLE was asked for.
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_OK(sys_poll_add(p, b, POLL_READABLE, 5));
    struct poll_event ev;
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), 1);
    CHECK(ev.handle == b && ev.cookie == 5, "event for %d cookie %llu", ev.handle,
          (unsigned long long)ev.cookie);
    CHECK(ev.events == (POLL_READABLE | POLL_CLOSED), "events %#x", ev.events);
    // Queued messages are still delivered, then ERR_CLOSED.
    for (uint8_t i = 0; i < 3; i++) {
        int64_t info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
        CHECK(MSGINFO_LEN(info) == 10u + i && test_buf[0] == i, "message %u wrong", i);
    }
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_CLOSED);
    CHECK_EQ(sys_poll_wait(p, &ev, 1, 0), 1);
    CHECK(ev.events == POLL_CLOSED, "events %#x after draining", ev.events);
    CHECK_OK(sys_handle_close(p));
    CHECK_OK(sys_handle_close(b));
}

void test_channel_bad_pointers(void) {
    handle_t a, b, c, d;
    CHECK_OK(new_channel(&a, &b));
    CHECK_OK(new_channel(&c, &d));
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 10, 0), NULL, NULL), ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 10, 0), BAD_PTR, NULL), ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 1), NULL, NULL), ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 1), NULL, BAD_PTR), ERR_BAD_ADDR);
    // A send that fails on its data keeps the handles it carried.
    handle_t hs[1] = {c};
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 10, 1), BAD_PTR, hs), ERR_BAD_ADDR);
    CHECK(handle_is_open(c), "failed send took handle %d", c);
    // ...and so does one that fails on a bad second handle.
    handle_t hs2[2] = {c, NEVER_OPENED};
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 2), NULL, hs2), ERR_BAD_HANDLE);
    CHECK(handle_is_open(c), "failed send took handle %d", c);
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    CHECK_OK(send_bytes(c, 9, 1)); // c still works
    CHECK_OK(sys_channel_recv(d, test_buf, sizeof(test_buf), test_handles));
    // Bad receive pointers: the message stays queued.
    CHECK_OK(send_bytes(a, 3, 20));
    CHECK_EQ(sys_channel_recv(b, NULL, 100, test_handles), ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_recv(b, BAD_PTR, 100, test_handles), ERR_BAD_ADDR);
    int64_t info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(MSGINFO_LEN(info), 20);
    // A message carrying a handle into a bad handle array stays queued, handle included.
    CHECK_OK(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 1), NULL, hs));
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), NULL), ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), BAD_PTR), ERR_BAD_ADDR);
    info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(MSGINFO_HANDLES(info), 1);
    c = test_handles[0];
    CHECK_OK(send_bytes(c, 4, 4));
    CHECK_OK(sys_channel_recv(d, test_buf, sizeof(test_buf), test_handles));
    // Bad call buffer: nothing is sent.
    CHECK_EQ(sys_channel_call(a, MSGINFO(MSG_DATA, 10, 0), BAD_PTR, 100, test_handles),
             ERR_BAD_ADDR);
    CHECK_EQ(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles), ERR_EMPTY);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
    CHECK_OK(sys_handle_close(c));
    CHECK_OK(sys_handle_close(d));
}

void test_channel_handle_transfer(void) {
    handle_t a, b, c, d;
    CHECK_OK(new_channel(&a, &b));
    CHECK_OK(new_channel(&c, &d));
    handle_t hs[1] = {c};
    CHECK_OK(sys_channel_send(a, MSGINFO(MSG_OPEN_REPLY, 3, 1), "end", hs));
    CHECK(!handle_is_open(c), "sender still holds %d", c); // checked before the receive may reuse it
    int64_t info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(info, MSGINFO(MSG_OPEN_REPLY, 3, 1));
    handle_t got = test_handles[0];
    CHECK(got > 0, "received handle %d", got);
    // The moved end still talks to its peer, both ways.
    CHECK_OK(send_bytes(got, 0x11, 8));
    info = CHECK_OK(sys_channel_recv(d, test_buf, sizeof(test_buf), test_handles));
    CHECK(MSGINFO_LEN(info) == 8 && test_buf[7] == 0x11, "data differs");
    CHECK_OK(send_bytes(d, 0x22, 9));
    info = CHECK_OK(sys_channel_recv(got, test_buf, sizeof(test_buf), test_handles));
    CHECK(MSGINFO_LEN(info) == 9 && test_buf[8] == 0x22, "data differs");
    // Four handles at once (the maximum).
    handle_t four[4];
    for (int i = 0; i < 4; i++)
        four[i] = (handle_t)CHECK_OK(sys_timer_create());
    CHECK_OK(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 4), NULL, four));
    info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(MSGINFO_HANDLES(info), 4);
    for (int i = 0; i < 4; i++)
        CHECK_OK(sys_timer_set(test_handles[i], -1)); // each is a timer again
    for (int i = 0; i < 4; i++)
        CHECK_OK(sys_handle_close(test_handles[i]));
    CHECK_OK(sys_handle_close(got));
    CHECK_OK(sys_handle_close(d));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_channel_transfer_rights(void) {
    handle_t a, b, c, d;
    CHECK_OK(new_channel(&a, &b));
    CHECK_OK(new_channel(&c, &d));
    // Without RIGHT_TRANSFER a handle cannot be sent, and stays put.
    handle_t no_xfer = (handle_t)CHECK_OK(sys_handle_dup(c, RIGHT_READ | RIGHT_WRITE));
    handle_t hs[1] = {no_xfer};
    CHECK_EQ(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 1), NULL, hs), ERR_NOT_ALLOWED);
    CHECK(handle_is_open(no_xfer), "refused send took the handle");
    // Rights travel with the handle: a read-only end stays read-only.
    handle_t ro = (handle_t)CHECK_OK(sys_handle_dup(c, RIGHT_READ | RIGHT_TRANSFER));
    hs[0] = ro;
    CHECK_OK(sys_channel_send(a, MSGINFO(MSG_DATA, 0, 1), NULL, hs));
    CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(send_bytes(test_handles[0], 1, 1), ERR_NOT_ALLOWED);
    CHECK_OK(sys_handle_close(test_handles[0]));
    CHECK_OK(sys_handle_close(no_xfer));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
    CHECK_OK(sys_handle_close(c));
    CHECK_OK(sys_handle_close(d));
}

void test_channel_call_echo(void) {
    static struct msg reply;
    static struct echo_ping ping;
    static struct echo_pong pong;
    handle_t echo = env_handle("echo");
    CHECK(echo > 0, "no \"echo\" channel in the environment");
    // Through the generated stub, up to the largest ping (a whole message).
    static const size_t sizes[] = {0, 1, 100, ECHO_PING_MAX_LEN - 2};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (size_t j = 0; j < sizes[i]; j++)
            ping.data[j] = (uint8_t)(j * 13 + i);
        ping.data_len = (uint16_t)sizes[i];
        CHECK_OK(echo_ping_call(echo, &ping, &pong));
        CHECK(pong.data_len == sizes[i], "pong has %u bytes, want %zu", pong.data_len, sizes[i]);
        CHECK(!memcmp(pong.data, ping.data, sizes[i]), "reply to %zu bytes differs", sizes[i]);
    }
    // Raw messages the protocol does not allow come back as MSG_ERROR from the
    // generated dispatcher: an unknown kind, and a ping one byte short.
    CHECK_OK(ch_call(echo, 0x200, test_buf, 3, &reply));
    CHECK(reply.kind == MSG_ERROR && msg_error_code(&reply) == ERR_NOT_SUPPORTED,
          "unknown kind: reply kind %#x, error %s", reply.kind, err_name(msg_error_code(&reply)));
    test_buf[0] = 5; // says 5 bytes of data follow; only 4 do
    test_buf[1] = 0;
    CHECK_OK(ch_call(echo, ECHO_PING_KIND, test_buf, 6, &reply));
    CHECK(reply.kind == MSG_ERROR && msg_error_code(&reply) == ERR_INVALID_ARG,
          "short ping: reply kind %#x, error %s", reply.kind, err_name(msg_error_code(&reply)));
    // A message with a handle is refused with MSG_ERROR, and the handle closed.
    handle_t c, d;
    CHECK_OK(new_channel(&c, &d));
    test_handles[0] = c;
    int64_t info =
        CHECK_OK(sys_channel_call(echo, MSGINFO(MSG_DATA, 0, 1), test_buf, sizeof(test_buf),
                                  test_handles));
    CHECK_EQ(MSGINFO_KIND(info), MSG_ERROR);
    CHECK_EQ(sys_channel_recv(d, test_buf, sizeof(test_buf), test_handles), ERR_CLOSED);
    CHECK_OK(sys_handle_close(d));
}

void test_channel_call_errors(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    msginfo_t mi = MSGINFO(MSG_DATA, 1, 0);
    CHECK_EQ(sys_channel_call(0, mi, test_buf, sizeof(test_buf), test_handles), ERR_BAD_HANDLE);
    CHECK_EQ(sys_channel_call(NEVER_OPENED, mi, test_buf, sizeof(test_buf), test_handles),
             ERR_BAD_HANDLE);
    handle_t t = (handle_t)CHECK_OK(sys_timer_create());
    CHECK_EQ(sys_channel_call(t, mi, test_buf, sizeof(test_buf), test_handles), ERR_WRONG_TYPE);
    CHECK_OK(sys_handle_close(t));
    CHECK_EQ(sys_channel_call(a, MSGINFO(MSG_DATA, MSG_MAX_DATA + 1, 0), test_buf,
                              sizeof(test_buf), test_handles),
             ERR_TOO_LARGE);
    CHECK_OK(sys_handle_close(b));
    CHECK_EQ(sys_channel_call(a, mi, test_buf, sizeof(test_buf), test_handles), ERR_CLOSED);
    CHECK_OK(sys_handle_close(a));
}
