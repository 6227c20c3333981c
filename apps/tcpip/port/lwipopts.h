// SPDX-License-Identifier: MIT
// lwIP configuration of the tcpip server: raw API, NO_SYS, IPv4 with DHCP, TCP, UDP and DNS.
#pragma once

#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DHCP 1
#define LWIP_DNS 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define LWIP_CHKSUM_ALGORITHM 3
#define LWIP_SINGLE_NETIF 1

// Memory: lwIP's own heap and pools (one static arena each). Sized so that
// every TCP connection (MEMP_NUM_TCP_PCB) can hold a full send buffer at once:
// 160 x TCP_SND_BUF (8 segments, 11.4 KiB) is 1.8 MiB of MEM_SIZE and 1,280
// of MEMP_NUM_TCP_SEG. Otherwise some 60 peers that never read (their data
// stuck in the send buffers) left no memory for anyone else.
#define MEM_ALIGNMENT 8
#define MEM_SIZE (2 * 1024 * 1024)
#define MEMP_NUM_PBUF 256
#define PBUF_POOL_SIZE 512
#define MEMP_NUM_TCP_PCB 160
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG 1536
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_SYS_TIMEOUT 16
#define MEMP_NUM_ARP_QUEUE 64

// TCP: a full-size window; a send buffer of 8 segments (see MEM_SIZE).
#define TCP_MSS 1460
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE 1
#define TCP_OVERSIZE TCP_MSS

#define DNS_TABLE_SIZE 8
#define DNS_MAX_NAME_LENGTH 255
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK 0

#define LWIP_DEBUG 0
