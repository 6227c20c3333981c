// SPDX-License-Identifier: MIT
// The tcpip server: lwIP (raw API, NO_SYS) driven by one event loop and a timer.
//
// Everything runs in one thread: the loop delivers frames from the NIC
// driver, requests and socket data from apps, and a timer that runs lwIP's
// timeouts (TCP retransmission, ARP, DHCP, DNS).
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "tcpip.h"
#include <stellina/server.h>

struct loop tcpip_loop;
static struct msg ctl_msg;

#define TICK_MAX_NS (100 * 1000 * 1000) // at least every 100 ms
#define TICK_MIN_NS (1000 * 1000)

static void on_tick(struct loop *loop, handle_t timer, uint32_t events, void *arg) {
    sys_check_timeouts();
    int64_t ns = (int64_t)sys_timeouts_sleeptime() * 1000000;
    timer_after(timer, ns < TICK_MIN_NS ? TICK_MIN_NS : ns > TICK_MAX_NS ? TICK_MAX_NS : ns);
}

bool tcpip_recv(struct loop *loop, handle_t ch, struct msg *m) {
    int r = ch_recv(ch, m);
    if (r < 0 && r != ERR_EMPTY) {
        loop_remove(loop, ch);
        sys_handle_close(ch);
    }
    return r == 0;
}

// An app's control channel (the tcpip protocol).
static void on_control(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
    if (!tcpip_recv(loop, ch, &ctl_msg))
        return;
    // The generated dispatcher answers malformed or unknown messages (a
    // net.info too: only a client wired for the net protocol is a driver)
    // with MSG_ERROR and closes their handles.
    tcpip_dispatch(&sock_control_handlers, NULL, ch, &ctl_msg);
}

int app_main(const struct tcpip_env *env) {
    int err = loop_init(&tcpip_loop);
    if (err < 0) {
        log_error("loop_init: %s", err_name(err));
        return 1;
    }
    nic_setup(env->ip);
    handle_t timer = loop_add_timer(&tcpip_loop, TICK_MAX_NS, on_tick, NULL);
    // Each client by the protocol it was wired for: apps (tcpip), NIC drivers (net).
    if (timer < 0 || (err = loop_serve_protocol(&tcpip_loop, "tcpip", on_control, NULL)) < 0 ||
        (err = loop_serve_protocol(&tcpip_loop, "net", nic_on_driver, NULL)) < 0) {
        log_error("setup: %s", err_name(timer < 0 ? timer : err));
        return 1;
    }
    log_info("ready (lwIP %s)", LWIP_VERSION_STRING);
    int code = loop_run(&tcpip_loop);
    log_error("event loop ended: %d", code);
    return 1;
}
