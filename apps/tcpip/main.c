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

int tcpip_recv(struct loop *loop, handle_t ch, struct msg *m) {
    int r = ch_recv(ch, m);
    if (r < 0 && r != ERR_EMPTY) {
        loop_remove(loop, ch);
        sys_handle_close(ch);
    }
    return r;
}

#define CTL_MAX 64
static struct ctl ctls[CTL_MAX]; // ch 0: a free slot

// The record of an app's control channel, made at its first event; NULL if
// there are CTL_MAX already.
static struct ctl *ctl_of(handle_t ch) {
    struct ctl *free_slot = NULL;
    for (int i = 0; i < CTL_MAX; i++) {
        if (ctls[i].ch == ch)
            return &ctls[i];
        if (!ctls[i].ch && !free_slot)
            free_slot = &ctls[i];
    }
    if (free_slot)
        *free_slot = (struct ctl){.ch = ch};
    return free_slot;
}

void ctl_wait(struct ctl *c) {
    c->waiting = true;
    loop_update(&tcpip_loop, c->ch, 0); // only CLOSED comes now
}

void ctl_answered(struct ctl *c) {
    c->waiting = false;
    if (c->gone) {
        sys_handle_close(c->ch);
        c->ch = 0;
    } else {
        loop_update(&tcpip_loop, c->ch, POLL_READABLE);
    }
}

// An app's control channel (the tcpip protocol).
static void on_control(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
    struct ctl *c = ctl_of(ch);
    if (!c) {
        log_warn("client %d refused: %d clients already", ch, CTL_MAX);
        loop_remove(loop, ch);
        sys_handle_close(ch);
        return;
    }
    if (c->waiting) {
        // The app left while an answer was pending: the channel stays open
        // (its number is not reused) until the answer comes (ctl_answered).
        if (events & POLL_CLOSED) {
            c->gone = true;
            loop_remove(loop, ch);
        }
        return;
    }
    int r = tcpip_recv(loop, ch, &ctl_msg);
    if (r != 0) {
        if (r != ERR_EMPTY)
            c->ch = 0; // closed by tcpip_recv
        return;
    }
    // The generated dispatcher answers malformed or unknown messages (a
    // net.info too: only a client wired for the net protocol is a driver)
    // with MSG_ERROR and closes their handles.
    tcpip_dispatch(&sock_control_handlers, c, ch, &ctl_msg);
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
