// SPDX-License-Identifier: MIT
// Sockets of the tcpip server: TCP (listen, accept, connect), UDP and DNS, each socket a channel.
//
// Flow control, both ways, with bounded memory:
// - app -> TCP: a socket channel is read only while TCP's send buffer takes
//   what was read; the rest of a message waits in `tx` (one message at most)
//   and reading stops until TCP says data was acknowledged (sent callback);
// - TCP -> app: received data is acknowledged to lwIP (tcp_recved, which
//   reopens the TCP window) only once the app's queue took it; while the
//   queue is full the data waits in `rx` and the peer sees a closing window.
#include "lwip/dns.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "tcpip.h"
#include <stdlib.h>
#include <string.h>

enum sock_type { SOCK_TCP, SOCK_LISTEN, SOCK_UDP };

struct sock {
    enum sock_type type;
    handle_t ch;            // our end of the socket channel
    handle_t ctl;           // a pending connect: the control channel to answer on
    handle_t app_end;       // a pending connect: the end the app will get
    struct tcp_pcb *pcb;    // TCP and listeners; NULL once lwIP freed it
    struct udp_pcb *upcb;   // UDP
    struct pbuf *rx;        // received, not yet taken by the app
    uint8_t *tx;            // the unsent rest of one message from the app
    uint16_t tx_off, tx_len;
    bool rx_fin;            // the peer sent FIN
    bool fin_sent;          // ... and the app was told (MSG_CLOSE)
    bool rx_blocked;        // the app's queue was full: wait for POLL_WRITABLE
    bool app_shut;          // the app sent MSG_CLOSE: shut our side when tx is empty
    bool shut_done;         // ... and we did
    bool peer_closed;       // POLL_CLOSED seen on the channel
    bool in_loop;
    // A listener whose app is slow to accept: connections waiting for room
    // in its queue (already established; their sockets are live).
    struct pending_accept *pending;
};

struct pending_accept {
    struct tcpip_addr addr;
    handle_t theirs;
    struct pending_accept *next;
};

static uint32_t tcp_count;
static uint8_t copy_buf[MSG_MAX_DATA];
static struct msg sock_msg;

uint32_t sock_tcp_count(void) {
    return tcp_count;
}

static void reply(handle_t ctl, uint32_t kind, const void *data, size_t len, handle_t h) {
    int r = ch_send(ctl, kind, data, len, h ? &h : NULL, h ? 1 : 0);
    if (r < 0) {
        log_warn("reply %#x to %d lost: %s", kind, ctl, err_name(r));
        if (h)
            sys_handle_close(h);
    }
}

static void on_sock_ch(struct loop *loop, handle_t ch, uint32_t events, void *arg);

static struct sock *sock_new(enum sock_type type) {
    struct sock *s = calloc(1, sizeof(*s));
    if (s && type == SOCK_TCP)
        tcp_count++;
    if (s)
        s->type = type;
    return s;
}

// Forgets a socket whose pcb is closed or gone; the app sees its channel CLOSED.
static void sock_free(struct sock *s) {
    if (s->in_loop)
        loop_remove(&tcpip_loop, s->ch);
    if (s->ch)
        sys_handle_close(s->ch);
    if (s->app_end)
        sys_handle_close(s->app_end);
    if (s->rx)
        pbuf_free(s->rx);
    if (s->type == SOCK_TCP)
        tcp_count--;
    free(s->tx);
    free(s);
}

static void sock_interests(struct sock *s) {
    // Reading goes on after MSG_CLOSE: the channel's closing ends the socket.
    bool want_read = s->pcb && s->tx_len == 0;
    uint32_t want = (want_read ? POLL_READABLE : 0) | (s->rx_blocked ? POLL_WRITABLE : 0);
    if (want == 0 && s->peer_closed) {
        // CLOSED is always reported: leave the loop until we can act on it.
        if (s->in_loop)
            loop_remove(&tcpip_loop, s->ch);
        s->in_loop = false;
        return;
    }
    if (s->in_loop) {
        loop_update(&tcpip_loop, s->ch, want);
    } else if (loop_add(&tcpip_loop, s->ch, want, on_sock_ch, s) == 0) {
        s->in_loop = true;
    }
}

static void tcp_detach(struct tcp_pcb *pcb) {
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
}

// lwIP could not queue the FIN (out of segments): try again from its poll timer.
static err_t on_close_retry(void *arg, struct tcp_pcb *pcb) {
    if (tcp_close(pcb) == ERR_OK)
        tcp_poll(pcb, NULL, 0);
    return ERR_OK;
}

// Closes the connection (gracefully if lwIP can) and frees the socket.
static void sock_close_tcp(struct sock *s) {
    if (s->pcb) {
        if (s->rx) {
            // Unread data would make lwIP answer with a reset; it is ours to drop.
            tcp_recved(s->pcb, s->rx->tot_len);
            pbuf_free(s->rx);
            s->rx = NULL;
        }
        tcp_detach(s->pcb);
        // A reset would cut what is still queued: on ERR_MEM retry later.
        if (tcp_close(s->pcb) != ERR_OK)
            tcp_poll(s->pcb, on_close_retry, 2);
        s->pcb = NULL;
    }
    sock_free(s);
}

// Hands received data (then the FIN) to the app until its queue is full.
static void rx_deliver(struct sock *s) {
    s->rx_blocked = false;
    while (s->rx) {
        uint16_t n = s->rx->tot_len < MSG_MAX_DATA ? s->rx->tot_len : MSG_MAX_DATA;
        pbuf_copy_partial(s->rx, copy_buf, n, 0);
        int r = ch_send(s->ch, MSG_DATA, copy_buf, n, NULL, 0);
        if (r == ERR_FULL) {
            s->rx_blocked = true;
            return;
        }
        // On ERR_CLOSED the app is gone and the data is dropped with it.
        s->rx = pbuf_free_header(s->rx, n);
        if (s->pcb)
            tcp_recved(s->pcb, n);
    }
    if (s->rx_fin && !s->fin_sent) {
        if (ch_send(s->ch, MSG_CLOSE, NULL, 0, NULL, 0) == ERR_FULL) {
            s->rx_blocked = true;
            return;
        }
        s->fin_sent = true;
    }
}

// Gives TCP as much of `data` as its send buffer takes; keeps the rest in tx.
// Returns false if the connection had to be aborted (s->pcb is then NULL;
// inside an lwIP callback the caller must return ERR_ABRT).
static bool tx_write(struct sock *s, const uint8_t *data, uint16_t len) {
    uint16_t n = len < tcp_sndbuf(s->pcb) ? len : tcp_sndbuf(s->pcb);
    // Out of segments or heap: the rest waits for an acknowledgment (sent
    // callback) or, if nothing is in flight to be acknowledged, the poll timer.
    if (n > 0 && tcp_write(s->pcb, data, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
        n = 0;
    if (n < len) {
        if (!s->tx)
            s->tx = malloc(MSG_MAX_DATA);
        if (!s->tx) { // cannot keep the rest: the stream would be corrupt
            log_warn("out of memory: connection reset");
            tcp_detach(s->pcb);
            tcp_abort(s->pcb);
            s->pcb = NULL;
            return false;
        }
        memmove(s->tx, data + n, len - n);
        s->tx_off = 0;
        s->tx_len = len - n;
    }
    return true;
}

// After TCP made room: the pending rest first, then a shutdown if asked for.
// Returns false if the connection was aborted (see tx_write).
static bool tx_resume(struct sock *s) {
    if (s->tx_len && s->pcb) {
        uint16_t len = s->tx_len;
        s->tx_len = 0;
        if (!tx_write(s, s->tx + s->tx_off, len))
            return false;
    }
    if (s->pcb && s->tx_len == 0 && s->app_shut && !s->shut_done) {
        s->shut_done = true;
        tcp_shutdown(s->pcb, 0, 1);
    }
    if (s->pcb)
        tcp_output(s->pcb);
    return true;
}

static err_t on_tcp_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
    struct sock *s = arg;
    if (!s)
        return ERR_OK;
    if (!tx_resume(s)) {
        sock_free(s);
        return ERR_ABRT; // lwIP must not touch the pcb again
    }
    sock_interests(s); // reading resumes once tx is empty
    return ERR_OK;
}

// lwIP's poll timer (every second): a tcp_write that failed while nothing was
// in flight gets no sent callback, so the rest of the data is retried here.
static err_t on_tcp_poll(void *arg, struct tcp_pcb *pcb) {
    struct sock *s = arg;
    if (!s || s->tx_len == 0)
        return ERR_OK;
    return on_tcp_sent(s, pcb, 0);
}

static err_t on_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    struct sock *s = arg;
    if (!s) {
        if (p)
            pbuf_free(p);
        return ERR_OK;
    }
    if (!p)
        s->rx_fin = true;
    else if (s->rx)
        pbuf_cat(s->rx, p);
    else
        s->rx = p;
    rx_deliver(s);
    sock_interests(s);
    return ERR_OK;
}

static void on_tcp_err(void *arg, err_t err) {
    struct sock *s = arg;
    if (!s)
        return;
    s->pcb = NULL; // lwIP has freed it
    if (s->ctl) {  // a connect that failed
        int32_t code = err == ERR_RST ? ERR_CLOSED : ERR_TIMED_OUT;
        reply(s->ctl, MSG_ERROR, &code, sizeof(code), 0);
    }
    sock_free(s);
}

static void tcp_setup(struct sock *s, struct tcp_pcb *pcb) {
    s->pcb = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_tcp_recv);
    tcp_sent(pcb, on_tcp_sent);
    tcp_err(pcb, on_tcp_err);
    tcp_poll(pcb, on_tcp_poll, 2);
    tcp_nagle_disable(pcb); // responses are written whole; do not wait for ACKs
}

// Events on a TCP socket channel: data and MSG_CLOSE from the app.
static void on_tcp_ch(struct sock *s, uint32_t events) {
    if (events & POLL_CLOSED)
        s->peer_closed = true;
    if ((events & POLL_WRITABLE) && s->rx_blocked) {
        rx_deliver(s);
        if (s->pcb)
            tcp_output(s->pcb); // window updates
    }
    bool wrote = false;
    // A bounded batch: other sockets get their turn.
    for (int i = 0; i < 16 && s->pcb && s->tx_len == 0; i++) {
        int r = ch_recv(s->ch, &sock_msg);
        if (r == ERR_EMPTY)
            break;
        if (r < 0) { // the app closed the socket and everything it sent was read
            if (s->pcb)
                tcp_output(s->pcb);
            sock_close_tcp(s);
            return;
        }
        msg_close_handles(&sock_msg);
        if (sock_msg.kind == MSG_DATA && sock_msg.len > 0 && !s->app_shut) {
            if (!tx_write(s, sock_msg.data, (uint16_t)sock_msg.len))
                break;
            wrote = true;
        } else if (sock_msg.kind == MSG_CLOSE && !s->app_shut) {
            s->app_shut = true;
            tx_resume(s);
        }
    }
    if (wrote && s->pcb)
        tcp_output(s->pcb);
    if (!s->pcb) {
        sock_free(s);
        return;
    }
    sock_interests(s);
}

// Hands waiting connections to the app until its queue is full again.
static void accept_flush(struct sock *l) {
    while (l->pending) {
        struct pending_accept *p = l->pending;
        if (ch_send(l->ch, TCPIP_ACCEPTED, &p->addr, sizeof(p->addr), &p->theirs, 1) == ERR_FULL)
            break;
        l->pending = p->next; // on another error the handle is closed with the listener's peer gone
        free(p);
    }
    loop_update(&tcpip_loop, l->ch, POLL_READABLE | (l->pending ? POLL_WRITABLE : 0));
}

static void on_listen_ch(struct sock *s, uint32_t events) {
    if (events & POLL_WRITABLE)
        accept_flush(s);
    int r;
    while ((r = ch_recv(s->ch, &sock_msg)) == 0)
        msg_close_handles(&sock_msg); // nothing is expected from the app here
    if (r == ERR_CLOSED) {
        while (s->pending) {
            struct pending_accept *p = s->pending;
            s->pending = p->next;
            sys_handle_close(p->theirs); // tcpip sees CLOSED and closes the connection
            free(p);
        }
        tcp_arg(s->pcb, NULL);
        tcp_close(s->pcb); // a listener closes without fail
        s->pcb = NULL;
        sock_free(s);
    }
}

static void udp_ch(struct sock *s, uint32_t events) {
    for (int i = 0; i < 16; i++) {
        int r = ch_recv(s->ch, &sock_msg);
        if (r == ERR_EMPTY)
            return;
        if (r < 0) {
            udp_remove(s->upcb);
            sock_free(s);
            return;
        }
        msg_close_handles(&sock_msg);
        struct tcpip_addr a;
        if (sock_msg.kind != TCPIP_UDP_SEND || sock_msg.len < sizeof(a) ||
            sock_msg.len - sizeof(a) > TCPIP_UDP_MAX)
            continue;
        memcpy(&a, sock_msg.data, sizeof(a));
        uint16_t n = (uint16_t)(sock_msg.len - sizeof(a));
        struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, n, PBUF_RAM);
        if (!p)
            continue; // UDP may lose datagrams
        memcpy(p->payload, sock_msg.data + sizeof(a), n);
        ip_addr_t ip = IPADDR4_INIT(a.ip);
        udp_sendto(s->upcb, p, &ip, a.port);
        pbuf_free(p);
    }
}

static void on_sock_ch(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
    struct sock *s = arg;
    if (s->type == SOCK_TCP)
        on_tcp_ch(s, events);
    else if (s->type == SOCK_LISTEN)
        on_listen_ch(s, events);
    else
        udp_ch(s, events);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    struct sock *l = arg;
    if (!l || err != ERR_OK || !pcb)
        return ERR_VAL;
    handle_t mine, theirs;
    struct sock *s = sock_new(SOCK_TCP);
    if (!s || ch_create(&mine, &theirs) < 0) {
        free(s);
        if (s)
            tcp_count--;
        return ERR_MEM; // lwIP resets the connection
    }
    s->ch = mine;
    struct tcpip_addr a = {.ip = ip_2_ip4(&pcb->remote_ip)->addr, .port = pcb->remote_port};
    int r = l->pending ? ERR_FULL : ch_send(l->ch, TCPIP_ACCEPTED, &a, sizeof(a), &theirs, 1);
    if (r == ERR_FULL) {
        // The app is slow to accept: the connection waits (bounded by lwIP's PCBs).
        struct pending_accept *p = malloc(sizeof(*p)), **tail = &l->pending;
        if (p) {
            *p = (struct pending_accept){.addr = a, .theirs = theirs};
            while (*tail)
                tail = &(*tail)->next;
            *tail = p;
            loop_update(&tcpip_loop, l->ch, POLL_READABLE | POLL_WRITABLE);
            r = 0;
        }
    }
    if (r < 0) {
        sys_handle_close(theirs);
        sock_free(s); // the app is gone or we are out of memory: refuse
        return ERR_MEM;
    }
    tcp_setup(s, pcb);
    sock_interests(s);
    return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    struct sock *s = arg;
    handle_t theirs = s->app_end;
    s->app_end = 0;
    reply(s->ctl, TCPIP_CONNECT_REPLY, NULL, 0, theirs);
    s->ctl = 0;
    sock_interests(s);
    return ERR_OK;
}

static void on_dns(const char *name, const ip_addr_t *ip, void *arg) {
    handle_t ctl = (handle_t)(uintptr_t)arg;
    if (!ip) {
        int32_t code = ERR_NOT_FOUND;
        reply(ctl, MSG_ERROR, &code, sizeof(code), 0);
        return;
    }
    struct tcpip_addr a = {.ip = ip_2_ip4(ip)->addr};
    reply(ctl, TCPIP_DNS_REPLY, &a, sizeof(a), 0);
}

static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *ip,
                        u16_t port) {
    struct sock *s = arg;
    struct tcpip_addr a = {.ip = ip_2_ip4(ip)->addr, .port = port};
    uint16_t n = p->tot_len < TCPIP_UDP_MAX ? p->tot_len : TCPIP_UDP_MAX;
    memcpy(copy_buf, &a, sizeof(a));
    pbuf_copy_partial(p, copy_buf + sizeof(a), n, 0);
    pbuf_free(p);
    ch_send(s->ch, TCPIP_UDP_RECV, copy_buf, sizeof(a) + n, NULL, 0); // full: dropped, as UDP may
}

// Creates a socket with a new channel; *theirs is the app's end.
static struct sock *sock_open(enum sock_type type, handle_t *theirs, int32_t *code) {
    handle_t mine;
    struct sock *s = sock_new(type);
    if (!s || ch_create(&mine, theirs) < 0) {
        if (s)
            sock_free(s);
        *code = ERR_NO_MEMORY;
        return NULL;
    }
    s->ch = mine;
    return s;
}

void sock_request(handle_t ch, struct msg *m) {
    int32_t code = ERR_INVALID_ARG;
    handle_t theirs;
    struct sock *s;
    msg_close_handles(m);
    if ((m->kind == TCPIP_LISTEN || m->kind == TCPIP_UDP_OPEN) && m->len == sizeof(struct tcpip_port)) {
        uint16_t port = ((struct tcpip_port *)m->data)->port;
        bool udp = m->kind == TCPIP_UDP_OPEN;
        if (!(s = sock_open(udp ? SOCK_UDP : SOCK_LISTEN, &theirs, &code)))
            goto fail;
        if (udp) {
            s->upcb = udp_new();
            if (!s->upcb || udp_bind(s->upcb, IP_ANY_TYPE, port) != ERR_OK) {
                if (s->upcb)
                    udp_remove(s->upcb);
                code = ERR_IN_USE;
                goto fail_sock;
            }
            udp_recv(s->upcb, on_udp_recv, s);
        } else {
            struct tcp_pcb *pcb = tcp_new();
            if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
                if (pcb)
                    tcp_close(pcb);
                code = ERR_IN_USE;
                goto fail_sock;
            }
            s->pcb = tcp_listen_with_backlog(pcb, TCP_DEFAULT_LISTEN_BACKLOG);
            if (!s->pcb) {
                tcp_close(pcb);
                code = ERR_NO_MEMORY;
                goto fail_sock;
            }
            tcp_arg(s->pcb, s);
            tcp_accept(s->pcb, on_accept);
        }
        if (loop_add(&tcpip_loop, s->ch, POLL_READABLE, on_sock_ch, s) == 0)
            s->in_loop = true;
        reply(ch, udp ? TCPIP_UDP_OPEN_REPLY : TCPIP_LISTEN_REPLY, NULL, 0, theirs);
        return;
    }
    if (m->kind == TCPIP_CONNECT && m->len == sizeof(struct tcpip_addr)) {
        struct tcpip_addr a;
        memcpy(&a, m->data, sizeof(a));
        if (!(s = sock_open(SOCK_TCP, &theirs, &code)))
            goto fail;
        struct tcp_pcb *pcb = tcp_new();
        if (!pcb) {
            code = ERR_NO_MEMORY;
            goto fail_sock;
        }
        tcp_setup(s, pcb);
        s->ctl = ch;
        s->app_end = theirs;
        ip_addr_t ip = IPADDR4_INIT(a.ip);
        if (tcp_connect(pcb, &ip, a.port, on_connected) != ERR_OK) {
            s->ctl = 0;
            sock_close_tcp(s);
            code = ERR_NO_MEMORY;
            goto fail;
        }
        return;
    }
    if (m->kind == TCPIP_DNS_LOOKUP && m->len > 0 && m->len <= 255) {
        char name[256];
        memcpy(name, m->data, m->len);
        name[m->len] = '\0';
        ip_addr_t ip;
        err_t e = dns_gethostbyname(name, &ip, on_dns, (void *)(uintptr_t)ch);
        if (e == ERR_OK)
            on_dns(name, &ip, (void *)(uintptr_t)ch);
        else if (e != ERR_INPROGRESS)
            on_dns(name, NULL, (void *)(uintptr_t)ch);
        return;
    }
    if (m->kind == TCPIP_STATUS && m->len == 0) {
        struct tcpip_status st;
        nic_status(&st);
        reply(ch, TCPIP_STATUS_REPLY, &st, sizeof(st), 0);
        return;
    }
    log_warn("request kind %#x (%u bytes) refused", m->kind, m->len);
    goto fail;
fail_sock:
    sys_handle_close(theirs);
    sock_free(s);
fail:
    reply(ch, MSG_ERROR, &code, sizeof(code), 0);
}
