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
#include "lwip/tcp.h"
#include "sock.h"
#include <stdlib.h>
#include <string.h>

struct pending_accept {
    struct tcpip_accepted msg; // owns the socket's handle until it is sent
    struct pending_accept *next;
};

// Seconds (lwIP polls) a socket whose app has left gets to send what the app
// left, while its peer takes nothing.
#define LINGER_POLLS 10

static uint32_t tcp_count;
static uint8_t copy_buf[MSG_MAX_DATA];
struct msg sock_msg;

uint32_t sock_tcp_count(void) {
    return tcp_count;
}

void sock_reply_error(handle_t ch, int32_t code) {
    int r = ch_send(ch, MSG_ERROR, &code, sizeof(code), NULL, 0);
    if (r < 0)
        log_warn("error reply to %d lost: %s", ch, err_name(r));
}

// A reply's send failed (the app stopped reading or left): its handle, if any, is ours to close.
void sock_reply_lost(handle_t ch, const char *what, int r, handle_t h) {
    log_warn("%s reply to %d lost: %s", what, ch, err_name(r));
    if (h)
        sys_handle_close(h);
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

// Forgets a socket (see sock.h).
void sock_free(struct sock *s) {
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
    if (len)
        s->stalled_polls = 0; // the peer took data
    if (!tx_resume(s)) {
        sock_free(s);
        return ERR_ABRT; // lwIP must not touch the pcb again
    }
    sock_interests(s); // reading resumes once tx is empty
    return ERR_OK;
}

// lwIP's poll timer (every second): a tcp_write that failed while nothing was
// in flight gets no sent callback, so the rest of the data is retried here.
// And a socket whose app closed its channel while data was still to go out
// (the app's last messages wait unread in the channel while TCP's buffer is
// full) is reset once the peer has taken nothing for LINGER_POLLS seconds:
// a peer that never reads must not hold the connection and its memory.
static err_t on_tcp_poll(void *arg, struct tcp_pcb *pcb) {
    struct sock *s = arg;
    if (!s)
        return ERR_OK;
    if (s->peer_closed && ++s->stalled_polls > LINGER_POLLS) {
        tcp_detach(pcb);
        tcp_abort(pcb);
        s->pcb = NULL;
        sock_free(s);
        return ERR_ABRT; // lwIP must not touch the pcb again
    }
    if (s->tx_len == 0)
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
    if (s->ctl) { // a connect that failed
        if (!s->ctl->gone)
            sock_reply_error(s->ctl->ch, err == ERR_RST ? ERR_CLOSED : ERR_TIMED_OUT);
        ctl_answered(s->ctl);
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
        int r = tcpip_accepted_send(l->ch, &p->msg);
        if (r == ERR_FULL)
            break;
        if (r < 0) // the app is gone: the socket goes with its channel
            sys_handle_close(p->msg.socket);
        l->pending = p->next;
        free(p);
    }
    loop_update(&tcpip_loop, l->ch, POLL_READABLE | (l->pending ? POLL_WRITABLE : 0));
}

// Nothing is expected from the app on a listener: whatever it sends is answered MSG_ERROR.
static const struct tcpip_handlers listener_handlers;

static void on_listen_ch(struct sock *s, uint32_t events) {
    if (events & POLL_WRITABLE)
        accept_flush(s);
    int r;
    while ((r = ch_recv(s->ch, &sock_msg)) == 0)
        tcpip_dispatch(&listener_handlers, s, s->ch, &sock_msg);
    if (r == ERR_CLOSED) {
        while (s->pending) {
            struct pending_accept *p = s->pending;
            s->pending = p->next;
            sys_handle_close(p->msg.socket); // we see CLOSED and close the connection
            free(p);
        }
        tcp_arg(s->pcb, NULL);
        tcp_close(s->pcb); // a listener closes without fail
        s->pcb = NULL;
        sock_free(s);
    }
}

static void on_sock_ch(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
    struct sock *s = arg;
    if (s->type == SOCK_TCP)
        on_tcp_ch(s, events);
    else if (s->type == SOCK_LISTEN)
        on_listen_ch(s, events);
    else
        udp_on_channel(s, events);
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
    struct tcpip_accepted a = {.remote_ip = ip_2_ip4(&pcb->remote_ip)->addr,
                               .remote_port = pcb->remote_port, .socket = theirs};
    int r = l->pending ? ERR_FULL : tcpip_accepted_send(l->ch, &a);
    if (r == ERR_FULL) {
        // The app is slow to accept: the connection waits (bounded by lwIP's PCBs).
        struct pending_accept *p = malloc(sizeof(*p)), **tail = &l->pending;
        if (p) {
            *p = (struct pending_accept){.msg = a};
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
    struct tcpip_connect_reply rep = {.socket = s->app_end};
    s->app_end = 0;
    int r = s->ctl->gone ? ERR_CLOSED : tcpip_connect_reply_send(s->ctl->ch, &rep);
    if (r < 0)
        sock_reply_lost(s->ctl->ch, "connect", r, rep.socket);
    ctl_answered(s->ctl);
    s->ctl = NULL;
    sock_interests(s);
    return ERR_OK;
}

// Creates a socket with a new channel (see sock.h).
struct sock *sock_open(enum sock_type type, handle_t *theirs) {
    handle_t mine;
    struct sock *s = sock_new(type);
    if (!s || ch_create(&mine, theirs) < 0) {
        if (s)
            sock_free(s);
        return NULL;
    }
    s->ch = mine;
    return s;
}

// Replies to listen or udp_open and serves the new socket's channel (see sock.h).
int sock_opened(handle_t ch, struct sock *s, handle_t theirs) {
    int r;
    if (loop_add(&tcpip_loop, s->ch, POLL_READABLE, on_sock_ch, s) == 0)
        s->in_loop = true;
    if (s->type == SOCK_UDP)
        r = tcpip_udp_open_reply_send(ch, &(struct tcpip_udp_open_reply){.socket = theirs});
    else
        r = tcpip_listen_reply_send(ch, &(struct tcpip_listen_reply){.listener = theirs});
    if (r < 0) // the socket ends when we see its channel CLOSED
        sock_reply_lost(ch, "open", r, theirs);
    return 0;
}

// listen: a listener on TCP m->port. Returns 0 (replied) or ERR_NO_MEMORY / ERR_IN_USE.
static int on_listen(void *ctx, handle_t ch, const struct tcpip_listen *m) {
    handle_t theirs;
    struct sock *s = sock_open(SOCK_LISTEN, &theirs);
    if (!s)
        return ERR_NO_MEMORY;
    int code = ERR_IN_USE;
    struct tcp_pcb *pcb = tcp_new();
    if (pcb && tcp_bind(pcb, IP_ANY_TYPE, m->port) == ERR_OK) {
        code = ERR_NO_MEMORY;
        s->pcb = tcp_listen_with_backlog(pcb, TCP_DEFAULT_LISTEN_BACKLOG);
    }
    if (!s->pcb) {
        if (pcb)
            tcp_close(pcb);
        sys_handle_close(theirs);
        sock_free(s);
        return code;
    }
    tcp_arg(s->pcb, s);
    tcp_accept(s->pcb, on_accept);
    return sock_opened(ch, s, theirs);
}

// connect: the reply comes once the connection is established (on_connected)
// or has failed (on_tcp_err). Returns 0, or ERR_NO_MEMORY if it could not start.
static int on_connect(void *ctx, handle_t ch, const struct tcpip_connect *m) {
    handle_t theirs;
    struct sock *s = sock_open(SOCK_TCP, &theirs);
    if (!s)
        return ERR_NO_MEMORY;
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb) {
        sys_handle_close(theirs);
        sock_free(s);
        return ERR_NO_MEMORY;
    }
    tcp_setup(s, pcb);
    s->app_end = theirs; // closed by sock_free if the connection fails
    ip_addr_t ip = IPADDR4_INIT(m->ip);
    if (tcp_connect(pcb, &ip, m->port, on_connected) != ERR_OK) {
        sock_close_tcp(s);
        return ERR_NO_MEMORY;
    }
    s->ctl = ctx; // the answer comes from on_connected or on_tcp_err
    ctl_wait(ctx);
    return 0;
}

// status: the interface's addresses and counters. Returns 0.
static int on_status(void *ctx, handle_t ch, const struct tcpip_status *m) {
    struct tcpip_status_reply st;
    nic_status(&st);
    int r = tcpip_status_reply_send(ch, &st);
    if (r < 0)
        sock_reply_lost(ch, "status", r, 0);
    return 0;
}

// Malformed requests, unknown kinds and replies sent to us never get here: the
// generated dispatcher answers them MSG_ERROR.
const struct tcpip_handlers sock_control_handlers = {
    .listen = on_listen,
    .connect = on_connect,
    .udp_open = udp_open_request,
    .dns_lookup = dns_lookup_request,
    .status = on_status,
};
