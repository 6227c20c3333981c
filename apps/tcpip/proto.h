// SPDX-License-Identifier: MIT
// The tcpip and net protocols, server side, as C structs: written by hand until specgen generates them.
#pragma once
#include <stdint.h>

// protocols/tcpip.toml (little endian, packed; IPv4 addresses in network order).
#define TCPIP_LISTEN         0x100 // struct tcpip_port
#define TCPIP_LISTEN_REPLY   0x101 // handles[0]: listener
#define TCPIP_ACCEPTED       0x102 // struct tcpip_addr, handles[0]: socket
#define TCPIP_CONNECT        0x103 // struct tcpip_addr
#define TCPIP_CONNECT_REPLY  0x104 // handles[0]: socket
#define TCPIP_UDP_OPEN       0x105 // struct tcpip_port
#define TCPIP_UDP_OPEN_REPLY 0x106 // handles[0]: socket
#define TCPIP_UDP_SEND       0x107 // struct tcpip_addr, then the payload
#define TCPIP_UDP_RECV       0x108 // struct tcpip_addr, then the payload
#define TCPIP_DNS_LOOKUP     0x109 // the name (not NUL-terminated)
#define TCPIP_DNS_REPLY      0x10a // struct tcpip_addr (port 0)
#define TCPIP_STATUS         0x10b // nothing
#define TCPIP_STATUS_REPLY   0x10c // struct tcpip_status
#define TCPIP_UDP_MAX        1472

struct tcpip_port {
    uint16_t port;
} __attribute__((packed));

struct tcpip_addr {
    uint32_t ip;
    uint16_t port;
} __attribute__((packed));

struct tcpip_status {
    uint32_t ip, netmask, gateway;
    uint8_t mac[6];
    uint8_t link_up, dhcp;
    uint64_t frames_rx, frames_tx;
    uint32_t tcp_sockets, nic_restarts;
} __attribute__((packed));

// protocols/net.toml: frames between the NIC driver and us.
#define NET_MSG_INFO 0x200 // driver -> us: struct net_info
#define NET_MSG_TX   0x201 // us -> driver: one Ethernet frame
#define NET_MSG_RX   0x202 // driver -> us: one Ethernet frame
#define NET_FRAME_MAX 1514

struct net_info {
    uint8_t mac[6];
    uint16_t mtu;
} __attribute__((packed));
