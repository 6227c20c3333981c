// SPDX-License-Identifier: MIT
// The tcpip server's internal interfaces: the NIC glue (nic.c) and the sockets (sock.c).
#pragma once
#include "proto.h"
#include <stdbool.h>
#include <apps/tcpip/env.h>

extern struct loop tcpip_loop;

// nic.c: the one network interface, fed by a NIC driver over the net protocol.
// Brings up the interface (DHCP, or the static address in the config blob).
void nic_setup(const char *config);
// A driver connected on `ch` and sent `info`: frames flow through it from now on.
void nic_attach(handle_t ch, const struct net_info *info);
// The driver's channel (0 if none) and its event callback.
handle_t nic_channel(void);
void nic_on_channel(struct loop *loop, handle_t ch, uint32_t events, void *arg);
// Fills a status reply.
void nic_status(struct tcpip_status *st);

// sock.c: one app's control channel (requests), and every socket.
// Handles one request `m` received on the control channel `ch`.
void sock_request(handle_t ch, struct msg *m);
// Number of open TCP sockets.
uint32_t sock_tcp_count(void);

// main.c: the loop callback of an app's control channel.
void tcpip_on_control(struct loop *loop, handle_t ch, uint32_t events, void *arg);
