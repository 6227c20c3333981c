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
// What a channel that is not yet the NIC's may say of the net protocol: `info`
// (a driver announcing itself; the channel becomes the NIC's).
extern const struct net_handlers nic_control_handlers;
// The driver's channel (0 if none) and its event callback.
handle_t nic_channel(void);
void nic_on_channel(struct loop *loop, handle_t ch, uint32_t events, void *arg);
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

// main.c: the loop callback of an app's control channel.
void tcpip_on_control(struct loop *loop, handle_t ch, uint32_t events, void *arg);
