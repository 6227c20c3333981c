// SPDX-License-Identifier: MIT
// lwIP's compiler and platform definitions for Stellina (freestanding, lib/c, logging through libstellina).
#pragma once
#include <stddef.h>
#include <stdint.h>

// lib/c has no inttypes.h or errno.h: give lwIP the printf formats directly.
#define LWIP_NO_INTTYPES_H 1
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define LWIP_ERRNO_STDINCLUDE 0
#define LWIP_PROVIDE_ERRNO 0

#define BYTE_ORDER LITTLE_ENDIAN

// Random numbers for TCP sequence numbers, ports and DHCP transaction ids.
uint32_t tcpip_port_rand(void);
#define LWIP_RAND() tcpip_port_rand()

void tcpip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tcpip_port_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x) do { tcpip_port_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) tcpip_port_assert(x, __FILE__, __LINE__)
