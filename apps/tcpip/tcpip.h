// SPDX-License-Identifier: MIT
// The tcpip server's internal interfaces: the NIC glue (nic.c) and the sockets (sock.c).
#pragma once
#include <stdbool.h>
#include <apps/tcpip/env.h>
#include <protocols/net.h>
#include <protocols/tcpip.h>

extern struct loop tcpip_loop;

// nic.c: the one network interface, fed by a NIC driver over the net protocol.
// Brings up the interface (DHCP, or the static address in the config blob).
void nic_setup(const char *config);
// The loop callback of a NIC driver's channel (a client wired for the net
// protocol): a driver announces itself with `info`, and its channel becomes
// the NIC's; then it sends frames.
void nic_on_driver(struct loop *loop, handle_t ch, uint32_t events, void *arg);
// Fills a status reply.
void nic_status(struct tcpip_status_reply *st);

// sock.c: the requests of an app's control channel, and every socket.
// The tcpip protocol's requests (listen, connect, udp_open, dns_lookup, status).
extern const struct tcpip_handlers sock_control_handlers;
// Number of open TCP sockets.
uint32_t sock_tcp_count(void);
// Answers `code` (an ERR_*) on ch as a MSG_ERROR, for replies that come later
// than the request's handler (a failed connect, a DNS lookup).
void sock_reply_error(handle_t ch, int32_t code);

// main.c: receives one message of a client (an app or a driver) into *m.
// Returns 0, ERR_EMPTY, or the error of a client that is gone (its channel
// is then removed from the loop and closed).
int tcpip_recv(struct loop *loop, handle_t ch, struct msg *m);
// An app's control channel. Its requests are answered in order, one at a
// time: while one waits for the network (a DNS lookup, a connect), the
// requests behind it wait unread. The tcpip handlers get it as their ctx.
struct ctl {
    handle_t ch;
    bool waiting; // an answer is pending: the channel is not read (ctl_wait)
    bool gone;    // ... and the app closed it: closed once answered
};
void ctl_wait(struct ctl *c);
// After the pending answer was sent (or dropped: the app is gone).
void ctl_answered(struct ctl *c);
