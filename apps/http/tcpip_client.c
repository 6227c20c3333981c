// SPDX-License-Identifier: MIT
// The tcpip protocol, client side: requests as blocking calls, accepting connections.
#include "tcpip_client.h"
#include <string.h>

static struct msg reply;

static int call(handle_t tcpip, uint32_t kind, const void *data, size_t len, uint32_t want) {
    int r = ch_call(tcpip, kind, data, len, &reply);
    if (r < 0)
        return r;
    if (reply.kind == MSG_ERROR) {
        msg_close_handles(&reply);
        return msg_error_code(&reply);
    }
    if (reply.kind != want) {
        msg_close_handles(&reply);
        return ERR_UNEXPECTED;
    }
    return 0;
}

handle_t tcpip_open(handle_t tcpip, uint16_t port, bool udp) {
    uint32_t want = udp ? TCPIP_UDP_OPEN_REPLY : TCPIP_LISTEN_REPLY;
    int r = call(tcpip, udp ? TCPIP_UDP_OPEN : TCPIP_LISTEN, &port, sizeof(port), want);
    if (r < 0)
        return r;
    if (reply.nhandles != 1) {
        msg_close_handles(&reply);
        return ERR_UNEXPECTED;
    }
    return reply.handles[0];
}

handle_t tcpip_accept(handle_t listener, struct tcpip_addr *peer) {
    static struct msg m;
    int r = ch_recv(listener, &m);
    if (r < 0)
        return r;
    if (m.kind != TCPIP_ACCEPTED || m.nhandles != 1 || m.len != sizeof(*peer)) {
        msg_close_handles(&m);
        return ERR_UNEXPECTED;
    }
    memcpy(peer, m.data, sizeof(*peer));
    return m.handles[0];
}

int tcpip_status(handle_t tcpip, struct tcpip_status *st) {
    int r = call(tcpip, TCPIP_STATUS, NULL, 0, TCPIP_STATUS_REPLY);
    if (r < 0)
        return r;
    if (reply.len != sizeof(*st))
        return ERR_UNEXPECTED;
    memcpy(st, reply.data, sizeof(*st));
    return 0;
}

int tcpip_dns(handle_t tcpip, const char *name, uint32_t *ip) {
    int r = call(tcpip, TCPIP_DNS_LOOKUP, name, strlen(name), TCPIP_DNS_REPLY);
    if (r < 0)
        return r;
    if (reply.len != sizeof(struct tcpip_addr))
        return ERR_UNEXPECTED;
    memcpy(ip, reply.data, sizeof(*ip));
    return 0;
}
