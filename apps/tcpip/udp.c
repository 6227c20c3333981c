// SPDX-License-Identifier: MIT
// The tcpip server's UDP sockets (udp_open, udp_send, udp_recv) and DNS lookups, through lwIP.
#include "lwip/dns.h"
#include "lwip/udp.h"
#include "sock.h"
#include <string.h>

// A datagram from the app (a UDP socket's only message). Returns 0: UDP may lose datagrams.
static int on_udp_send(void *ctx, handle_t ch, const struct tcpip_udp_send *m) {
    struct sock *s = ctx;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, m->payload_len, PBUF_RAM);
    if (!p)
        return 0;
    memcpy(p->payload, m->payload, m->payload_len);
    ip_addr_t ip = IPADDR4_INIT(m->ip);
    udp_sendto(s->upcb, p, &ip, m->port);
    pbuf_free(p);
    return 0;
}

static const struct tcpip_handlers udp_handlers = {.udp_send = on_udp_send};

void udp_on_channel(struct sock *s, uint32_t events) {
    for (int i = 0; i < 16; i++) {
        int r = ch_recv(s->ch, &sock_msg);
        if (r == ERR_EMPTY)
            return;
        if (r < 0) {
            udp_remove(s->upcb);
            sock_free(s);
            return;
        }
        tcpip_dispatch(&udp_handlers, s, s->ch, &sock_msg);
    }
}

// Answers a lookup on the control channel `c` (ip NULL: not found).
static void dns_answer(struct ctl *c, const ip_addr_t *ip) {
    if (c->gone)
        return;
    if (!ip) {
        sock_reply_error(c->ch, ERR_NOT_FOUND);
        return;
    }
    struct tcpip_dns_reply rep = {.ip = ip_2_ip4(ip)->addr};
    int r = tcpip_dns_reply_send(c->ch, &rep);
    if (r < 0)
        sock_reply_lost(c->ch, "dns", r, 0);
}

// lwIP's answer to a lookup that waited: the control channel in `arg` goes on.
static void on_dns(const char *name, const ip_addr_t *ip, void *arg) {
    dns_answer(arg, ip);
    ctl_answered(arg);
}

// A datagram for a UDP socket: to its app, truncated to what a message holds.
static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *ip,
                        u16_t port) {
    static struct tcpip_udp_recv m;
    struct sock *s = arg;
    m.ip = ip_2_ip4(ip)->addr;
    m.port = port;
    m.payload_len = p->tot_len < sizeof(m.payload) ? p->tot_len : sizeof(m.payload);
    pbuf_copy_partial(p, m.payload, m.payload_len, 0);
    pbuf_free(p);
    tcpip_udp_recv_send(s->ch, &m); // full: dropped, as UDP may
}

// udp_open: a UDP socket on m->port (0: any). Returns 0 (replied) or ERR_NO_MEMORY / ERR_IN_USE.
int udp_open_request(void *ctx, handle_t ch, const struct tcpip_udp_open *m) {
    handle_t theirs;
    struct sock *s = sock_open(SOCK_UDP, &theirs);
    if (!s)
        return ERR_NO_MEMORY;
    s->upcb = udp_new();
    if (!s->upcb || udp_bind(s->upcb, IP_ANY_TYPE, m->port) != ERR_OK) {
        if (s->upcb)
            udp_remove(s->upcb);
        sys_handle_close(theirs);
        sock_free(s);
        return ERR_IN_USE;
    }
    udp_recv(s->upcb, on_udp_recv, s);
    return sock_opened(ch, s, theirs);
}

// dns_lookup: answered now if the name is cached (or an address), later by
// on_dns otherwise (the control channel waits: ctl_wait). Returns 0, or
// ERR_INVALID_ARG for an empty name.
int dns_lookup_request(void *ctx, handle_t ch, const struct tcpip_dns_lookup *m) {
    if (m->name[0] == '\0')
        return ERR_INVALID_ARG;
    ip_addr_t ip;
    err_t e = dns_gethostbyname(m->name, &ip, on_dns, ctx);
    if (e == ERR_INPROGRESS)
        ctl_wait(ctx);
    else
        dns_answer(ctx, e == ERR_OK ? &ip : NULL);
    return 0;
}

