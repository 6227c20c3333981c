// SPDX-License-Identifier: MIT
// What lwIP needs from its platform under NO_SYS: the clock, randomness, diagnostics.
#include "lwip/sys.h"
#include <stdio.h>
#include <string.h>
#include <stellina/stellina.h>

u32_t sys_now(void) {
    return (u32_t)(sys_timer_now() / 1000000);
}

// xorshift64, seeded from the clock: unpredictable enough for port numbers,
// sequence numbers and DHCP transaction ids on an emulated machine.
uint32_t tcpip_port_rand(void) {
    static uint64_t state;
    if (state == 0)
        state = (uint64_t)sys_timer_now() * 0x9e3779b97f4a7c15ull | 1;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 16);
}

void tcpip_port_diag(const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    write_out(buf, strnlen(buf, sizeof(buf)));
}

void tcpip_port_assert(const char *msg, const char *file, int line) {
    log_error("lwIP assertion failed: %s (%s:%d)", msg, file, line);
    sys_process_exit(2);
}
