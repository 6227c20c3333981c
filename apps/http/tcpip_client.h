// SPDX-License-Identifier: MIT
// The tcpip protocol, client side (protocols/tcpip.toml): written by hand until specgen generates it.
#pragma once
#include <stdint.h>
#include <stellina/stellina.h>

#define TCPIP_LISTEN         0x100
#define TCPIP_LISTEN_REPLY   0x101
#define TCPIP_ACCEPTED       0x102
#define TCPIP_UDP_OPEN       0x105
#define TCPIP_UDP_OPEN_REPLY 0x106
#define TCPIP_UDP_SEND       0x107
#define TCPIP_UDP_RECV       0x108
#define TCPIP_DNS_LOOKUP     0x109
#define TCPIP_DNS_REPLY      0x10a
#define TCPIP_STATUS         0x10b
#define TCPIP_STATUS_REPLY   0x10c

struct tcpip_addr {
    uint32_t ip; // network byte order
    uint16_t port;
} __attribute__((packed));

struct tcpip_status {
    uint32_t ip, netmask, gateway;
    uint8_t mac[6];
    uint8_t link_up, dhcp;
    uint64_t frames_rx, frames_tx;
    uint32_t tcp_sockets, nic_restarts;
} __attribute__((packed));

// Asks the server on `tcpip` to listen on TCP `port` (or, if `udp`, to open
// UDP `port`). Returns the new socket channel (owned by the caller) or an ERR_*.
handle_t tcpip_open(handle_t tcpip, uint16_t port, bool udp);
// Receives the next new connection on a listener: returns its channel (owned
// by the caller) and fills *peer, or ERR_EMPTY / ERR_CLOSED / ERR_UNEXPECTED.
handle_t tcpip_accept(handle_t listener, struct tcpip_addr *peer);
// Asks for the network status. Returns 0 or an ERR_*.
int tcpip_status(handle_t tcpip, struct tcpip_status *st);
// Resolves `name` through the server's DNS. Returns 0 with *ip (network
// order) or an ERR_* (ERR_NOT_FOUND when the name does not resolve).
int tcpip_dns(handle_t tcpip, const char *name, uint32_t *ip);
