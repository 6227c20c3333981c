// SPDX-License-Identifier: MIT
// virtio-net driver: interrupt-driven receive and transmit between the NIC and the tcpip server.
//
// Frames received are sent to tcpip as net.rx; net.tx messages from tcpip are
// transmitted (protocols/net.toml, through the generated stubs). Backpressure
// both ways, nothing dropped by us:
// - tcpip's queue full: the received buffer waits (in device order) until the
//   channel is writable again; meanwhile the device sees no new receive
//   buffers and drops what the wire brings, as a full NIC would;
// - every transmit buffer in flight: we stop reading the channel, so tcpip's
//   sends get ERR_FULL until the device completes some.
#include <apps/virtio_net/env.h>
#include <protocols/net.h>
#include <string.h>
#include <virtio/virtio.h>

#define VIRTIO_NET_F_MAC 5
#define QUEUE_RX 0
#define QUEUE_TX 1
#define NUM_BUFS 128   // per direction
#define BUF_SIZE 2048  // virtio-net header + the largest frame
#define HDR_LEGACY 10  // struct virtio_net_hdr without num_buffers
#define HDR_MODERN 12  // VERSION_1 always has num_buffers

static struct virtio_dev dev;
static struct virtq rxq, txq;
static struct mapped_folio rx_mem, tx_mem;
static uint32_t hdr_len;
static handle_t tcpip, irq;
static struct loop loop;
static struct msg msg;
static struct net_rx rx_msg; // a received frame on its way to tcpip

// A received buffer that tcpip could not take yet (ERR_FULL); delivered first.
static bool rx_stalled;
static uintptr_t rx_stalled_idx;
static uint32_t rx_stalled_len;

static uint64_t frames_rx, frames_tx;

static int rx_give(uintptr_t idx) {
    return virtq_push(&rxq, rx_mem.paddr + idx * BUF_SIZE, BUF_SIZE, true, (void *)(idx + 1));
}

static void update_interests(void) {
    uint32_t want = 0;
    if (txq.num_free > 0)
        want |= POLL_READABLE;
    if (rx_stalled)
        want |= POLL_WRITABLE;
    loop_update(&loop, tcpip, want);
}

// Delivers finished receive buffers to tcpip in order; stops at ERR_FULL.
static void rx_drain(void) {
    bool gave = false;
    for (;;) {
        uintptr_t idx;
        uint32_t len;
        if (rx_stalled) {
            idx = rx_stalled_idx;
            len = rx_stalled_len;
        } else {
            void *cookie = virtq_pop(&rxq, &len);
            if (!cookie)
                break;
            idx = (uintptr_t)cookie - 1;
        }
        if (len > hdr_len && len - hdr_len <= sizeof(rx_msg.frame)) {
            rx_msg.frame_len = (uint16_t)(len - hdr_len);
            const uint8_t *frame = (uint8_t *)rx_mem.addr + idx * BUF_SIZE + hdr_len;
            memcpy(rx_msg.frame, frame, rx_msg.frame_len);
            int r = net_rx_send(tcpip, &rx_msg);
            if (r == ERR_FULL) {
                rx_stalled = true;
                rx_stalled_idx = idx;
                rx_stalled_len = len;
                break;
            }
            if (r < 0) {
                log_error("tcpip is gone (%s)", err_name(r));
                loop_stop(&loop, 1);
                break;
            }
            frames_rx++;
        }
        rx_stalled = false;
        rx_give(idx); // cannot fail: the descriptor was just freed
        gave = true;
    }
    if (gave)
        virtq_notify(&dev, &rxq);
}

// Free transmit buffers (indexes); a buffer in flight carries index + 1 as its cookie.
static uint32_t tx_free[NUM_BUFS];
static uint32_t tx_nfree;

static void tx_reclaim(void) {
    uint32_t len;
    void *cookie;
    while ((cookie = virtq_pop(&txq, &len)) != NULL)
        tx_free[tx_nfree++] = (uint32_t)((uintptr_t)cookie - 1);
}

// A frame from tcpip: into a free transmit buffer (on_tcpip reads only while
// one is free); `ctx` is on_tcpip's flag that the device needs a notify.
// Returns 0, or ERR_INVALID_ARG for a frame shorter than a header.
static int on_tx(void *ctx, handle_t ch, const struct net_tx *m) {
    if (m->frame_len < 14) {
        log_warn("a %u-byte frame dropped", m->frame_len);
        return ERR_INVALID_ARG;
    }
    uint32_t idx = tx_free[--tx_nfree]; // as many free buffers as descriptors
    uint8_t *buf = (uint8_t *)tx_mem.addr + idx * BUF_SIZE;
    memset(buf, 0, hdr_len);
    memcpy(buf + hdr_len, m->frame, m->frame_len);
    virtq_push(&txq, tx_mem.paddr + idx * BUF_SIZE, hdr_len + m->frame_len, false,
               (void *)(uintptr_t)(idx + 1));
    frames_tx++;
    *(bool *)ctx = true;
    return 0;
}

// Malformed messages and other kinds are answered MSG_ERROR by the generated
// dispatcher (tcpip drops an incoming MSG_ERROR).
static const struct net_handlers handlers = {.tx = on_tx};

static void on_tcpip(struct loop *lp, handle_t ch, uint32_t events, void *arg) {
    if (events & POLL_WRITABLE)
        rx_drain();
    bool sent = false;
    while ((events & POLL_READABLE) && txq.num_free > 0) {
        int r = ch_recv(ch, &msg);
        if (r == ERR_EMPTY)
            break;
        if (r < 0) {
            log_error("tcpip closed the channel: exiting so that init reconnects us");
            loop_stop(lp, 1);
            return;
        }
        net_dispatch(&handlers, &sent, ch, &msg);
    }
    if (sent)
        virtq_notify(&dev, &txq);
    if (!(events & (POLL_READABLE | POLL_WRITABLE)) && (events & POLL_CLOSED)) {
        log_error("tcpip closed the channel: exiting so that init reconnects us");
        loop_stop(lp, 1);
        return;
    }
    update_interests();
}

static void on_irq(struct loop *lp, handle_t h, uint32_t events, void *arg) {
    // Acknowledge the device first: a buffer used after this raises it again.
    virtio_irq_status_ack(&dev);
    tx_reclaim();
    rx_drain();
    sys_interrupt_ack(h);
    update_interests();
}

static int nic_init(void) {
    handle_t mmio = env_handle("nic.mmio");
    irq = env_handle("nic.irq");
    if (mmio < 0 || irq < 0)
        return ERR_NOT_FOUND;
    int err = virtio_mmio_init(&dev, mmio);
    if (err < 0 || dev.device_id != 1) {
        log_error("nic.mmio is not a virtio network device (%s)", err_name(err));
        return err < 0 ? err : ERR_NOT_SUPPORTED;
    }
    if ((err = virtio_negotiate(&dev, 1ull << VIRTIO_NET_F_MAC)) < 0)
        return err;
    hdr_len = dev.version == 2 ? HDR_MODERN : HDR_LEGACY;
    if ((err = virtio_queue_setup(&dev, &rxq, QUEUE_RX, NUM_BUFS)) < 0 ||
        (err = virtio_queue_setup(&dev, &txq, QUEUE_TX, NUM_BUFS)) < 0 ||
        (err = folio_map_new(NUM_BUFS * BUF_SIZE, 1, &rx_mem)) < 0 ||
        (err = folio_map_new(NUM_BUFS * BUF_SIZE, 1, &tx_mem)) < 0)
        return err;
    for (uintptr_t i = 0; i < rxq.size; i++)
        rx_give(i);
    // Never more buffers than descriptors, so a free descriptor means a free buffer.
    for (uint32_t i = 0; i < txq.size; i++)
        tx_free[tx_nfree++] = i;
    virtio_driver_ok(&dev);
    virtq_notify(&dev, &rxq);
    return 0;
}

int app_main(const struct virtio_net_env *env) {
    tcpip = env->tcpip; // checked by the generated startup code (the NIC is optional)
    int err = nic_init();
    if (err == ERR_NOT_FOUND) {
        // A machine without a NIC: nothing to drive, and nothing to restart.
        log_info("no NIC in the environment (nic.mmio / nic.irq): exiting");
        return 0;
    }
    if (err < 0) {
        log_error("NIC setup failed: %s", err_name(err));
        return 1;
    }
    struct net_info info = {.mac_len = 6, .mtu = 1500};
    if (dev.features & (1ull << VIRTIO_NET_F_MAC)) {
        for (int i = 0; i < 6; i++)
            info.mac[i] = virtio_config_read8(&dev, (uint32_t)i);
    } else {
        memcpy(info.mac, "\x02\x00\x00\x00\x00\x01", 6); // locally administered
    }
    if ((err = loop_init(&loop)) < 0 || (err = net_info_send(tcpip, &info)) < 0 ||
        (err = loop_add(&loop, irq, POLL_READABLE, on_irq, NULL)) < 0 ||
        (err = loop_add(&loop, tcpip, POLL_READABLE, on_tcpip, NULL)) < 0) {
        log_error("setup: %s", err_name(err));
        return 1;
    }
    log_info("virtio-mmio v%u, mac %02x:%02x:%02x:%02x:%02x:%02x, %u rx / %u tx buffers",
             dev.version, info.mac[0], info.mac[1], info.mac[2], info.mac[3], info.mac[4],
             info.mac[5], rxq.size, txq.size);
    int code = loop_run(&loop);
    log_info("stopping after %llu frames received, %llu sent", (unsigned long long)frames_rx,
             (unsigned long long)frames_tx);
    return code;
}
