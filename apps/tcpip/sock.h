// SPDX-License-Identifier: MIT
// The tcpip server's socket record, shared by TCP sockets (sock.c) and UDP sockets and DNS (udp.c).
#pragma once
#include "tcpip.h"

struct tcp_pcb;
struct udp_pcb;
struct pbuf;
struct pending_accept;

enum sock_type { SOCK_TCP, SOCK_LISTEN, SOCK_UDP };

struct sock {
    enum sock_type type;
    handle_t ch;            // our end of the socket channel
    struct ctl *ctl;        // a pending connect: the control channel to answer on
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
    uint8_t stalled_polls;  // ... and lwIP polls since the TCP peer last took data
    bool in_loop;
    // A listener whose app is slow to accept: connections waiting for room
    // in its queue (already established; their sockets are live).
    struct pending_accept *pending;
};

// The receive buffer of socket channels (the loop runs one callback at a time).
extern struct msg sock_msg;

// Creates a socket with a new channel; *theirs is the app's end. NULL when out of memory.
struct sock *sock_open(enum sock_type type, handle_t *theirs);
// Forgets a socket whose pcb is closed or gone; the app sees its channel CLOSED.
void sock_free(struct sock *s);
// Sends the reply of listen or udp_open, whose only field is the new socket's
// channel (`theirs`, which moves), and starts serving that channel. Returns 0.
int sock_opened(handle_t ch, struct sock *s, handle_t theirs);
// A reply's send to `ch` failed with `r`: logs it and closes `h` if not 0.
void sock_reply_lost(handle_t ch, const char *what, int r, handle_t h);

// udp.c: a UDP socket's channel has events; the udp_open and dns_lookup requests
// (tcpip_handlers callbacks: 0 once replied or pending, else the ERR_* to answer).
void udp_on_channel(struct sock *s, uint32_t events);
int udp_open_request(void *ctx, handle_t ch, const struct tcpip_udp_open *m);
int dns_lookup_request(void *ctx, handle_t ch, const struct tcpip_dns_lookup *m);
