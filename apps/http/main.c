// SPDX-License-Identifier: MIT
// The HTTP server: accepts connections from the tcpip server and serves HTTP/1.1 with keep-alive.
//
// Each connection is a socket channel. A connection reads one request at a
// time; while its response is being sent (in MSG_DATA chunks, waiting for
// POLL_WRITABLE when the socket's queue is full) it reads nothing more, so
// a connection holds at most its header buffer and one response. Idle or
// stalled connections are closed after IDLE_NS, and a request must come
// whole within REQUEST_NS of its first byte.
#include "http.h"
#include <apps/http/env.h>
#include <protocols/tcpip.h>
#include <stdlib.h>
#include <string.h>

#define IDLE_NS (10ll * 1000 * 1000 * 1000)
#define REQUEST_NS IDLE_NS // from a request's first byte to its last
#define SWEEP_NS (1000ll * 1000 * 1000)
#define CONN_MAX 1024

struct conn {
    handle_t ch;
    // The header limit plus one message: a connection reads only while what
    // it holds is less than a whole request (the parser answers 431 at
    // HTTP_HEADER_MAX), so a message always fits, pipelined requests included.
    char in[HTTP_HEADER_MAX + MSG_MAX_DATA];
    size_t in_len;
    struct http_response res;
    bool sending;    // res is being sent
    bool close_after;
    int64_t last_active;
    int64_t request_since; // when the first byte of the request in `in` came
    uint32_t wait_slot;    // its place in `waiting` while res.wait is set
    struct conn *next, *prev;
};

// Connections whose response waits for the tcpip server's answer, in the
// order of their requests (tcpip answers in that order); NULL for one closed
// meanwhile. A connection waits for one answer at a time. No more than a
// channel's queue holds (64 messages): tcpip drops an answer it cannot queue,
// and every answer after it would then go to the wrong connection.
#define WAITING_MAX 64
static struct conn *waiting[WAITING_MAX];
static uint32_t waiting_head, waiting_count;

struct http_stats http_stats;
int64_t http_tcpip;
static struct loop loop;
static handle_t listener;
static struct conn *conns;
static struct msg in_msg;
static uint8_t out_buf[MSG_MAX_DATA];

static void conn_close(struct conn *c) {
    if (c->res.wait != WAIT_NONE)
        waiting[c->wait_slot] = NULL; // its answer is dropped when it comes
    loop_remove(&loop, c->ch);
    sys_handle_close(c->ch);
    free(c->res.owned);
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    http_stats.active--;
    free(c);
}

// Fills out_buf with the next chunk of the response; returns its length.
static size_t response_chunk(struct http_response *res) {
    size_t n = 0;
    while (n < sizeof(out_buf)) {
        if (res->sent < res->head_len) {
            size_t k = res->head_len - res->sent;
            k = k < sizeof(out_buf) - n ? k : sizeof(out_buf) - n;
            memcpy(out_buf + n, res->head + res->sent, k);
            n += k;
            res->sent += k;
            continue;
        }
        uint64_t off = res->sent - res->head_len;
        if (off >= res->body_len)
            break;
        uint64_t k = res->body_len - off;
        k = k < sizeof(out_buf) - n ? k : sizeof(out_buf) - n;
        if (res->pattern) {
            for (uint64_t i = 0; i < k; i++)
                out_buf[n + i] = http_pattern_byte(off + i);
        } else {
            memcpy(out_buf + n, res->body + off, k);
        }
        n += k;
        res->sent += k;
    }
    return n;
}

static void conn_serve(struct conn *c);

// Sends what the socket takes. Returns false if the connection was closed.
static bool conn_send(struct conn *c) {
    struct http_response *res = &c->res;
    while (res->sent < res->head_len + res->body_len) {
        uint64_t before = res->sent;
        size_t n = response_chunk(res);
        int r = ch_send(c->ch, MSG_DATA, out_buf, n, NULL, 0);
        if (r == ERR_FULL) {
            res->sent = before; // resend this chunk when there is room
            loop_update(&loop, c->ch, POLL_WRITABLE);
            return true;
        }
        if (r < 0) {
            conn_close(c);
            return false;
        }
    }
    free(res->owned);
    res->owned = NULL;
    c->sending = false;
    if (c->close_after) {
        conn_close(c); // closing the channel closes the connection once it is sent
        return false;
    }
    loop_update(&loop, c->ch, POLL_READABLE);
    return true;
}

// Answers every whole request in the input buffer (pipelining), one at a time.
static void conn_serve(struct conn *c) {
    static struct http_request req;
    while (!c->sending && c->in_len > 0) {
        int status = http_parse(c->in, c->in_len, &req);
        if (status == 1) {
            if (c->close_after) // the client finished with half a request
                conn_close(c);
            return; // wait for more
        }
        http_stats.requests++;
        if (status != 0) {
            site_error(status, &c->res);
            c->close_after = true;
            c->in_len = 0;
        } else {
            site_respond(&req, &c->res, waiting_count < WAITING_MAX);
            c->close_after = !req.keep_alive;
            memmove(c->in, c->in + req.size, c->in_len - req.size);
            c->in_len -= req.size;
            c->request_since = c->last_active; // the next request's bytes, if any
        }
        if (c->res.wait != WAIT_NONE) {
            // Nothing is read or sent until the answer (on_tcpip); CLOSED still comes.
            c->wait_slot = (waiting_head + waiting_count++) % WAITING_MAX;
            waiting[c->wait_slot] = c;
            loop_update(&loop, c->ch, 0);
            return;
        }
        c->sending = true;
        if (!conn_send(c))
            return;
    }
}

static void on_conn(struct loop *lp, handle_t ch, uint32_t events, void *arg) {
    struct conn *c = arg;
    if (c->res.wait != WAIT_NONE) {
        if (events & POLL_CLOSED)
            conn_close(c);
        return;
    }
    c->last_active = sys_timer_now();
    if (c->sending) {
        if (events & POLL_WRITABLE) {
            if (conn_send(c))
                conn_serve(c);
        } else if (events & POLL_CLOSED) {
            conn_close(c);
        }
        return;
    }
    int r = ch_recv(ch, &in_msg);
    if (r == ERR_EMPTY)
        return;
    if (r < 0) {
        conn_close(c);
        return;
    }
    msg_close_handles(&in_msg);
    if (in_msg.kind == MSG_CLOSE) {
        // The client finished sending; what it sent is answered, then we close.
        if (c->in_len == 0) {
            conn_close(c);
            return;
        }
        c->close_after = true;
    } else if (in_msg.kind == MSG_DATA) {
        // Fits: conn_serve left less than HTTP_HEADER_MAX (see struct conn);
        // should that ever not hold, the connection ends rather than the buffer.
        if (in_msg.len > sizeof(c->in) - c->in_len) {
            conn_close(c);
            return;
        }
        if (c->in_len == 0)
            c->request_since = c->last_active;
        memcpy(c->in + c->in_len, in_msg.data, in_msg.len);
        c->in_len += in_msg.len;
    }
    conn_serve(c);
}

// The tcpip server's answers to the /api/status and /api/dns requests of
// waiting connections, one per request, in order.
static void on_tcpip(struct loop *lp, handle_t ch, uint32_t events, void *arg) {
    static struct msg answer;
    int r;
    while ((r = ch_recv(ch, &answer)) == 0) {
        msg_close_handles(&answer);
        if (waiting_count == 0) {
            log_warn("message %#x from tcpip ignored: nothing was asked", answer.kind);
            continue;
        }
        struct conn *c = waiting[waiting_head];
        waiting_head = (waiting_head + 1) % WAITING_MAX;
        waiting_count--;
        if (!c)
            continue; // closed while it waited
        // The wait was the server's: the client's timeouts start again now.
        c->last_active = c->request_since = sys_timer_now();
        site_complete(&c->res, &answer);
        c->sending = true;
        if (conn_send(c))
            conn_serve(c); // requests pipelined behind it
    }
    if (r != ERR_EMPTY) // tcpip is gone: the waiting connections time out
        loop_remove(lp, ch);
}

// Receives the next new connection on the listener: returns its channel (ours
// to close), or ERR_EMPTY / ERR_CLOSED, or ERR_UNEXPECTED for another message.
static handle_t accept_next(handle_t l) {
    static struct msg m;
    struct tcpip_accepted acc;
    int r = ch_recv(l, &m);
    if (r < 0)
        return r;
    if (tcpip_accepted_decode(&m, &acc) < 0) {
        log_warn("message %#x on the listener ignored", m.kind);
        msg_close_handles(&m);
        return ERR_UNEXPECTED;
    }
    return acc.socket;
}

static void on_listener(struct loop *lp, handle_t h, uint32_t events, void *arg) {
    handle_t ch = accept_next(h);
    if (ch == ERR_EMPTY)
        return;
    if (ch < 0) {
        if (ch == ERR_CLOSED) {
            log_error("the tcpip server closed the listener");
            loop_stop(lp, 1);
        }
        return;
    }
    struct conn *c = http_stats.active < CONN_MAX ? malloc(sizeof(*c)) : NULL;
    if (!c) {
        sys_handle_close(ch); // too many connections: refuse this one
        return;
    }
    c->ch = ch;
    c->in_len = 0;
    c->sending = c->close_after = false;
    c->res.owned = NULL;
    c->res.wait = WAIT_NONE;
    c->last_active = c->request_since = sys_timer_now();
    if (loop_add(lp, ch, POLL_READABLE, on_conn, c) < 0) {
        sys_handle_close(ch);
        free(c);
        return;
    }
    c->prev = NULL;
    c->next = conns;
    if (conns)
        conns->prev = c;
    conns = c;
    http_stats.connections++;
    http_stats.active++;
}

// Closes connections that sent nothing and took nothing for IDLE_NS (half
// requests, stalled readers, idle keep-alive), and those whose request has
// not come whole within REQUEST_NS of its first byte (a byte now and then
// is not enough to hold a connection).
static void on_sweep(struct loop *lp, handle_t timer, uint32_t events, void *arg) {
    int64_t now = sys_timer_now();
    for (struct conn *c = conns, *next; c; c = next) {
        next = c->next;
        bool slow_request = !c->sending && c->res.wait == WAIT_NONE && c->in_len > 0 &&
                            now - c->request_since > REQUEST_NS;
        if (now - c->last_active > IDLE_NS || slow_request)
            conn_close(c);
    }
    timer_after(timer, SWEEP_NS);
}

int app_main(const struct http_env *env) {
    // The generated startup code checked both against app.toml.
    http_tcpip = env->tcpip;
    uint16_t port = env->port;
    struct tcpip_listen req = {.port = port};
    struct tcpip_listen_reply rep;
    int r = tcpip_listen_call((handle_t)http_tcpip, &req, &rep);
    if (r < 0) {
        log_error("cannot listen on port %u: %s", port, err_name(r));
        return 1;
    }
    listener = rep.listener;
    int err = loop_init(&loop);
    handle_t sweep = err < 0 ? err : loop_add_timer(&loop, SWEEP_NS, on_sweep, NULL);
    if (sweep < 0 || (err = loop_add(&loop, listener, POLL_READABLE, on_listener, NULL)) < 0 ||
        (err = loop_add(&loop, (handle_t)http_tcpip, POLL_READABLE, on_tcpip, NULL)) < 0) {
        log_error("setup: %s", err_name(sweep < 0 ? sweep : err));
        return 1;
    }
    log_info("listening on port %u", port);
    return loop_run(&loop);
}
