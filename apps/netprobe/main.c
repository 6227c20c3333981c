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
#define QEMU_MAC "\x52\x54\x00\x12\x34\x56"

static int passed, failed;
static struct msg reply;
static handle_t tcpip;

static void result(const char *name, bool ok, const char *why, long long got) {
    if (ok) {
        passed++;
        printf("TEST PASS netprobe_%s\n", name);
    } else {
        failed++;
        printf("TEST FAIL netprobe_%s: %s (%lld)\n", name, why, got);
    }
}

// Sends a request of `kind` (`len` bytes of `data`, `nh` handles) and waits for
// the answer: the MSG_ERROR code, or ERR_UNEXPECTED for any other answer (its
// handles closed), or the call's own error.
static int64_t request_error(uint32_t kind, const void *data, uint32_t len, handle_t *hs,
                             uint32_t nh) {
    memcpy(reply.data, data, len);
    if (nh)
        memcpy(reply.handles, hs, nh * sizeof(handle_t)); // the call sends them from here
    int64_t info = sys_channel_call(tcpip, MSGINFO(kind, len, nh), reply.data,
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
    int64_t r = len < 0 ? len : request_error(NET_INFO_KIND, buf, (uint32_t)len, NULL, 0);
    result("net_info_refused", r == ERR_NOT_SUPPORTED, "answer to net.info", r);
}

static void malformed_requests(void) {
    uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    // listen takes a u16: one byte, or eight, is not one.
    int64_t r = request_error(TCPIP_LISTEN_KIND, junk, 1, NULL, 0);
    result("listen_short", r == ERR_INVALID_ARG, "answer to a 1-byte listen", r);
    r = request_error(TCPIP_LISTEN_KIND, junk, 8, NULL, 0);
    result("listen_long", r == ERR_INVALID_ARG, "answer to an 8-byte listen", r);
    // A kind the protocol does not have, and a reply kind sent as a request.
    r = request_error(MSG_KIND_PROTOCOL_BASE + 0xff, junk, 4, NULL, 0);
    result("unknown_kind", r == ERR_NOT_SUPPORTED, "answer to kind 0x1ff", r);
    r = request_error(TCPIP_STATUS_REPLY_KIND, junk, 0, NULL, 0);
    result("reply_as_request", r == ERR_INVALID_ARG || r == ERR_NOT_SUPPORTED,
           "answer to a status_reply", r);
    r = request_error(MSG_DATA, junk, sizeof(junk), NULL, 0);
    result("data_on_control", r == ERR_NOT_SUPPORTED, "answer to MSG_DATA", r);
    // A well-formed status carrying a handle it should not: refused, and the
    // handle closed by the server (the channel end we keep sees CLOSED).
    handle_t a, b;
    if (ch_create(&a, &b) < 0) {
        result("status_with_handle", false, "ch_create", 0);
        return;
    }
    handle_t hs[1] = {b};
    r = request_error(TCPIP_STATUS_KIND, junk, 0, hs, 1);
    result("status_with_handle", r == ERR_INVALID_ARG, "answer to a status with a handle", r);
    struct msg m;
    int got = ch_recv(a, &m);
    result("handle_closed", got == ERR_CLOSED, "the other end of the handle sent", got);
    sys_handle_close(a);
}

// The server still answers, and its NIC is QEMU's (the probe's info was not taken).
static void server_intact(void) {
    static const struct tcpip_status req;
    struct tcpip_status_reply st = {0};
    int64_t pause = sys_poll_create(); // watches nothing: a wait on it is a sleep
    int r = pause < 0 ? (int)pause : 0;
    for (int i = 0; i < WAIT_LINK_TRIES && r == 0; i++) {
        r = tcpip_status_call(tcpip, &req, &st);
        if (r < 0 || (st.link_up && st.ip))
            break;
        struct poll_event ev;
        sys_poll_wait((handle_t)pause, &ev, 1, 50 * 1000 * 1000);
    }
    sys_handle_close((handle_t)pause);
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
    server_intact();
    printf("AUTOTEST DONE: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
