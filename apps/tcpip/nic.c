// SPDX-License-Identifier: MIT
// The tcpip server's network interface: lwIP's netif over a NIC driver's channel (net protocol).
//
// The driver connects to us (it is the client), so a restarted driver simply
// reconnects: the interface goes link-down while it is away and keeps its
// address. Frames the driver cannot take yet (ERR_FULL) wait in a bounded
// backlog and go out in order when its channel is writable again.
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "tcpip.h"
#include <stdlib.h>
#include <string.h>

#if LWIP_VERSION_MAJOR != 2 || LWIP_VERSION_MINOR != 1
#error "apps/tcpip is written for lwIP 2.1.x (run tools/setup.sh)"
#endif

#define BACKLOG_MAX 256

static struct netif netif;
static bool netif_ready, use_dhcp = true;
static handle_t nic;     // the driver's channel, 0 while none
static uint8_t mac[6];
static uint64_t frames_rx, frames_tx, frames_dropped;
static uint32_t nic_attaches;
static struct msg nic_msg;
static struct net_tx tx_msg; // one frame on its way out (the loop is single-threaded)

#define FRAME_MAX sizeof(tx_msg.frame)

struct frame {
    uint16_t len;
    uint8_t data[];
};
static struct frame *backlog[BACKLOG_MAX];
static uint32_t backlog_head, backlog_count;

static void nic_interests(void) {
    if (nic)
        loop_update(&tcpip_loop, nic, POLL_READABLE | (backlog_count ? POLL_WRITABLE : 0));
}

// Sends backlogged frames in order until the driver's queue is full.
static void backlog_flush(void) {
    while (backlog_count && nic) {
        struct frame *f = backlog[backlog_head];
        tx_msg.frame_len = f->len;
        memcpy(tx_msg.frame, f->data, f->len);
        int r = net_tx_send(nic, &tx_msg);
        if (r == ERR_FULL)
            break;
        free(f);
        backlog_head = (backlog_head + 1) % BACKLOG_MAX;
        backlog_count--;
        if (r == 0)
            frames_tx++;
    }
}

static err_t nic_linkoutput(struct netif *nif, struct pbuf *p) {
    if (!nic || p->tot_len > FRAME_MAX) {
        frames_dropped++;
        return ERR_OK; // like a cable pulled out: the frame is lost, TCP retransmits
    }
    uint16_t len = pbuf_copy_partial(p, tx_msg.frame, p->tot_len, 0);
    tx_msg.frame_len = len;
    if (backlog_count == 0) {
        int r = net_tx_send(nic, &tx_msg);
        if (r == 0) {
            frames_tx++;
            return ERR_OK;
        }
        if (r != ERR_FULL) {
            frames_dropped++;
            return ERR_OK;
        }
    }
    struct frame *f = backlog_count < BACKLOG_MAX ? malloc(sizeof(*f) + len) : NULL;
    if (!f) {
        frames_dropped++;
        return ERR_OK;
    }
    f->len = len;
    memcpy(f->data, tx_msg.frame, len);
    backlog[(backlog_head + backlog_count) % BACKLOG_MAX] = f;
    backlog_count++;
    nic_interests();
    return ERR_OK;
}

static void on_status(struct netif *nif) {
    if (!ip4_addr_isany_val(*netif_ip4_addr(nif))) {
        char ip[16], gw[16];
        ip4addr_ntoa_r(netif_ip4_addr(nif), ip, sizeof(ip));
        ip4addr_ntoa_r(netif_ip4_gw(nif), gw, sizeof(gw));
        log_info("%s address %s, gateway %s", use_dhcp ? "DHCP" : "static", ip, gw);
    }
}

static err_t nic_netif_init(struct netif *nif) {
    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->output = etharp_output;
    nif->linkoutput = nic_linkoutput;
    nif->mtu = 1500;
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, mac, 6);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

// Parses "key=a.b.c.d" out of the config text into *out; false if absent or bad.
static bool config_ip(const char *text, const char *key, ip4_addr_t *out) {
    const char *p = strstr(text, key);
    char buf[16];
    size_t n = 0;
    if (!p)
        return false;
    for (p += strlen(key); n < sizeof(buf) - 1 && ((*p >= '0' && *p <= '9') || *p == '.'); p++)
        buf[n++] = *p;
    buf[n] = '\0';
    return ip4addr_aton(buf, out) != 0;
}

void nic_setup(const char *text) {
    lwip_init();
    // The static address, if the instance's config asks for one (see app.toml).
    ip4_addr_t ip, mask, gw, dns;
    IP4_ADDR(&mask, 255, 255, 255, 0);
    ip4_addr_set_zero(&gw);
    ip4_addr_set_zero(&ip);
    if (config_ip(text, "ip=", &ip)) {
        use_dhcp = false;
        config_ip(text, "netmask=", &mask);
        config_ip(text, "gateway=", &gw);
        if (config_ip(text, "dns=", &dns)) {
            ip_addr_t d = IPADDR4_INIT(dns.addr);
            dns_setserver(0, &d);
        }
    } else {
        ip4_addr_set_zero(&mask);
    }
    // The MAC is learnt when the driver attaches; the netif is added then.
    netif_ready = false;
    if (!use_dhcp) {
        netif.ip_addr.addr = ip.addr;
        netif.netmask.addr = mask.addr;
        netif.gw.addr = gw.addr;
    }
}

void nic_status(struct tcpip_status_reply *st) {
    memset(st, 0, sizeof(*st));
    if (netif_ready) {
        st->ip = netif_ip4_addr(&netif)->addr;
        st->netmask = netif_ip4_netmask(&netif)->addr;
        st->gateway = netif_ip4_gw(&netif)->addr;
        st->link_up = netif_is_link_up(&netif);
    }
    memcpy(st->mac, mac, 6);
    st->mac_len = 6;
    st->dhcp = use_dhcp;
    st->frames_rx = frames_rx;
    st->frames_tx = frames_tx;
    st->tcp_sockets = sock_tcp_count();
    st->nic_restarts = nic_attaches ? nic_attaches - 1 : 0;
}

static void nic_detach(void) {
    loop_remove(&tcpip_loop, nic);
    sys_handle_close(nic);
    nic = 0;
    while (backlog_count) {
        free(backlog[backlog_head]);
        backlog_head = (backlog_head + 1) % BACKLOG_MAX;
        backlog_count--;
    }
    netif_set_link_down(&netif);
    log_warn("the NIC driver went away; waiting for it to reconnect");
}

// A frame from the driver, into lwIP. Returns 0 (with no room in lwIP it is lost, as on a wire).
static int on_rx(void *ctx, handle_t ch, const struct net_rx *m) {
    frames_rx++;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, m->frame_len, PBUF_POOL);
    if (!p) {
        frames_dropped++;
        return 0;
    }
    pbuf_take(p, m->frame, m->frame_len);
    if (netif.input(p, &netif) != ERR_OK)
        pbuf_free(p);
    return 0;
}

// On the driver's channel it only sends frames (a second `info` is refused).
static const struct net_handlers nic_handlers = {.rx = on_rx};

// The attached driver's channel: frames, and room to send ours.
static void on_nic_channel(struct loop *loop, handle_t ch, uint32_t events) {
    if (events & POLL_WRITABLE) {
        backlog_flush();
        nic_interests();
    }
    // A bounded batch keeps other clients served under a flood of frames.
    for (int i = 0; i < 64; i++) {
        int r = ch_recv(ch, &nic_msg);
        if (r == ERR_EMPTY)
            break;
        if (r < 0) {
            nic_detach();
            return;
        }
        // A malformed frame or another kind is answered MSG_ERROR (the driver drops it).
        net_dispatch(&nic_handlers, NULL, ch, &nic_msg);
    }
}

// A driver connected on `ch` and sent `info`: frames flow through it from now on.
// Returns 0, or ERR_INVALID_ARG for a MAC that is not 6 bytes (answered MSG_ERROR).
static int nic_attach(void *ctx, handle_t ch, const struct net_info *info) {
    if (info->mac_len != sizeof(mac)) {
        log_warn("net.info with a %u-byte MAC refused", info->mac_len);
        sock_reply_error(ch, ERR_INVALID_ARG);
        return ERR_INVALID_ARG;
    }
    if (nic) {
        log_warn("a second NIC driver connected: refused");
        loop_remove(&tcpip_loop, ch);
        sys_handle_close(ch);
        return ERR_IN_USE;
    }
    nic = ch;
    nic_attaches++;
    memcpy(mac, info->mac, 6);
    // The channel stays in the loop with nic_on_driver, which passes its
    // events to on_nic_channel from now on.
    if (!netif_ready) {
        ip4_addr_t ip = netif.ip_addr, mask = netif.netmask, gw = netif.gw;
        netif_add(&netif, &ip, &mask, &gw, NULL, nic_netif_init, ethernet_input);
        netif_set_default(&netif);
        netif_set_status_callback(&netif, on_status);
        netif_set_up(&netif);
        netif_ready = true;
        netif_set_link_up(&netif);
        if (use_dhcp)
            dhcp_start(&netif);
        else
            on_status(&netif);
    } else {
        netif_set_link_up(&netif);
    }
    log_info("NIC attached (mac %02x:%02x:%02x:%02x:%02x:%02x)", mac[0], mac[1], mac[2], mac[3],
             mac[4], mac[5]);
    return 0;
}

// What a driver's channel that is not yet the NIC's may say: `info`.
static const struct net_handlers nic_control_handlers = {.info = nic_attach};

void nic_on_driver(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
    if (ch == nic) {
        on_nic_channel(loop, ch, events);
        return;
    }
    if (tcpip_recv(loop, ch, &nic_msg) != 0)
        return;
    // Anything but a well-formed info is answered MSG_ERROR.
    net_dispatch(&nic_control_handlers, NULL, ch, &nic_msg);
}
