// SPDX-License-Identifier: MIT
// A hostile client of the tcpip server (systems/test-net.toml).
//
// It is wired as an app (protocol "tcpip") and tries to become the NIC by
// sending the driver's net.info, then sends malformed and unknown requests.
// The server must answer each with MSG_ERROR and carry on, and its NIC must
// stay the real driver's. Prints "TEST PASS/FAIL <name>" lines and the
// "AUTOTEST DONE" sentinel that tools/test.py reads.
#include <apps/netprobe/env.h>
#include <protocols/net.h>
#include <protocols/tcpip.h>
#include <stdio.h>
#include <string.h>

#define WAIT_LINK_TRIES 200 // status requests, 50 ms apart: 10 s for DHCP
#define CLOSE_TRIES 100     // listens, 10 ms apart, until a closed listener's port is free
#define QEMU_MAC "\x52\x54\x00\x12\x34\x56"

static int passed, failed;
static struct msg reply;
static handle_t tcpip;

// Sleeps: a wait on a poll that watches nothing ends at its timeout.
static void pause_ms(int ms) {
    int64_t p = sys_poll_create();
    if (p >= 0) {
        struct poll_event ev;
        sys_poll_wait((handle_t)p, &ev, 1, (int64_t)ms * 1000 * 1000);
        sys_handle_close((handle_t)p);
    }
}

static void result(const char *name, bool ok, const char *why, long long got) {
    if (ok) {
        passed++;
        printf("TEST PASS netprobe_%s\n", name);
    } else {
        failed++;
        printf("TEST FAIL netprobe_%s: %s (%lld)\n", name, why, got);
    }
}

// Sends a message of `kind` (`len` bytes of `data`, `nh` handles) on `ch` and
// waits for the answer: the MSG_ERROR code, or ERR_UNEXPECTED for any other
// answer (its handles closed), or the call's own error.
static int64_t request_error(handle_t ch, uint32_t kind, const void *data, uint32_t len,
                             handle_t *hs, uint32_t nh) {
    memcpy(reply.data, data, len);
    if (nh)
        memcpy(reply.handles, hs, nh * sizeof(handle_t)); // the call sends them from here
    int64_t info = sys_channel_call(ch, MSGINFO(kind, len, nh), reply.data,
                                    sizeof(reply.data), reply.handles);
    if (info < 0)
        return info;
    reply.kind = MSGINFO_KIND(info);
    reply.len = MSGINFO_LEN(info);
    reply.nhandles = MSGINFO_HANDLES(info);
    int32_t code = msg_error_code(&reply);
    msg_close_handles(&reply);
    return code;
}

// The driver's announcement, from an app: a tcpip client is never the NIC.
static void impersonate_nic(void) {
    struct net_info info = {.mac_len = 6, .mtu = 1500};
    memcpy(info.mac, "\x02\xba\xdb\xad\x00\x01", 6);
    uint8_t buf[NET_INFO_MAX_LEN];
    handle_t none[MSG_MAX_HANDLES];
    int len = net_info_encode(&info, buf, sizeof(buf), none);
    int64_t r = len < 0 ? len : request_error(tcpip, NET_INFO_KIND, buf, (uint32_t)len, NULL, 0);
    result("net_info_refused", r == ERR_NOT_SUPPORTED, "answer to net.info", r);
}

static void malformed_requests(void) {
    uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    // listen takes a u16: one byte, or eight, is not one.
    int64_t r = request_error(tcpip, TCPIP_LISTEN_KIND, junk, 1, NULL, 0);
    result("listen_short", r == ERR_INVALID_ARG, "answer to a 1-byte listen", r);
    r = request_error(tcpip, TCPIP_LISTEN_KIND, junk, 8, NULL, 0);
    result("listen_long", r == ERR_INVALID_ARG, "answer to an 8-byte listen", r);
    // A kind the protocol does not have, and a reply kind sent as a request.
    r = request_error(tcpip, MSG_KIND_PROTOCOL_BASE + 0xff, junk, 4, NULL, 0);
    result("unknown_kind", r == ERR_NOT_SUPPORTED, "answer to kind 0x1ff", r);
    r = request_error(tcpip, TCPIP_STATUS_REPLY_KIND, junk, 0, NULL, 0);
    result("reply_as_request", r == ERR_INVALID_ARG || r == ERR_NOT_SUPPORTED,
           "answer to a status_reply", r);
    r = request_error(tcpip, MSG_DATA, junk, sizeof(junk), NULL, 0);
    result("data_on_control", r == ERR_NOT_SUPPORTED, "answer to MSG_DATA", r);
    // A well-formed status carrying a handle it should not: refused, and the
    // handle closed by the server (the channel end we keep sees CLOSED).
    handle_t a, b;
    if (ch_create(&a, &b) < 0) {
        result("status_with_handle", false, "ch_create", 0);
        return;
    }
    handle_t hs[1] = {b};
    r = request_error(tcpip, TCPIP_STATUS_KIND, junk, 0, hs, 1);
    result("status_with_handle", r == ERR_INVALID_ARG, "answer to a status with a handle", r);
    struct msg m;
    int got = ch_recv(a, &m);
    result("handle_closed", got == ERR_CLOSED, "the other end of the handle sent", got);
    sys_handle_close(a);
}

// Junk on the socket channels the server opens: a listener (which expects
// nothing) and a UDP socket (which expects udp_send). A port is free again
// once its listener is closed.
static void socket_channels(void) {
    static const uint8_t junk[8] = {9, 8, 7, 6, 5, 4, 3, 2};
    const struct tcpip_listen listen = {.port = 7777};
    struct tcpip_listen_reply lr, again;
    int r = tcpip_listen_call(tcpip, &listen, &lr);
    result("listen", r == 0, "listen on 7777", r);
    if (r == 0) {
        int r2 = tcpip_listen_call(tcpip, &listen, &again);
        result("listen_twice", r2 == ERR_IN_USE, "a second listen on 7777", r2);
        if (r2 == 0)
            sys_handle_close(again.listener);
        int64_t e = request_error(lr.listener, MSG_DATA, junk, sizeof(junk), NULL, 0);
        result("data_on_listener", e == ERR_NOT_SUPPORTED, "answer to MSG_DATA on a listener", e);
        sys_handle_close(lr.listener);
        // The server sees the close among its other events, maybe after our
        // next request: the port is free again soon, not at once.
        for (int i = 0; i < CLOSE_TRIES; i++) {
            r2 = tcpip_listen_call(tcpip, &listen, &again);
            if (r2 != ERR_IN_USE)
                break;
            pause_ms(10);
        }
        result("listen_after_close", r2 == 0, "listen on 7777 after closing", r2);
        if (r2 == 0)
            sys_handle_close(again.listener);
    }
    const struct tcpip_udp_open open = {.port = 0};
    struct tcpip_udp_open_reply ur;
    r = tcpip_udp_open_call(tcpip, &open, &ur);
    result("udp_open", r == 0, "udp_open", r);
    if (r == 0) {
        int64_t e = request_error(ur.socket, TCPIP_UDP_SEND_KIND, junk, 3, NULL, 0);
        result("udp_send_short", e == ERR_INVALID_ARG, "answer to a 3-byte udp_send", e);
        e = request_error(ur.socket, MSG_DATA, junk, sizeof(junk), NULL, 0);
        result("data_on_udp", e == ERR_NOT_SUPPORTED, "answer to MSG_DATA on a UDP socket", e);
        sys_handle_close(ur.socket);
    }
}

// The server still answers, and its NIC is QEMU's (the probe's info was not taken).
static void server_intact(void) {
    static const struct tcpip_status req;
    struct tcpip_status_reply st = {0};
    int r = 0;
    for (int i = 0; i < WAIT_LINK_TRIES; i++) {
        r = tcpip_status_call(tcpip, &req, &st);
        if (r < 0 || (st.link_up && st.ip))
            break;
        pause_ms(50);
    }
    result("status_answered", r == 0, "status", r);
    result("link_up", st.link_up && st.ip != 0, "link up with an address", st.ip);
    result("nic_is_the_driver", st.mac_len == 6 && memcmp(st.mac, QEMU_MAC, 6) == 0,
           "MAC byte 0", st.mac[0]);
    result("nic_not_restarted", st.nic_restarts == 0, "nic_restarts", st.nic_restarts);
}

int app_main(const struct netprobe_env *env) {
    tcpip = env->tcpip;
    impersonate_nic();
    malformed_requests();
    socket_channels();
    server_intact();
    printf("AUTOTEST DONE: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
