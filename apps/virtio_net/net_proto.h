// SPDX-License-Identifier: MIT
// The net protocol (protocols/net.toml), driver side, written by hand until specgen generates it.
#pragma once
#include <stdint.h>

#define NET_MSG_INFO 0x200 // driver -> server: struct net_info
#define NET_MSG_TX   0x201 // server -> driver: one Ethernet frame
#define NET_MSG_RX   0x202 // driver -> server: one Ethernet frame
#define NET_FRAME_MAX 1514

struct net_info {
    uint8_t mac[6];
    uint16_t mtu; // little endian
};
