// SPDX-License-Identifier: MIT
// The virtio-mmio transport: device discovery, feature negotiation and queue setup, legacy and modern.
#include <stellina/stellina.h>
#include <stdlib.h>
#include <string.h>
#include <virtio/virtio.h>
#include "barrier.h"

// Register offsets (virtio 1.1, 4.2.2; legacy-only ones marked).
#define REG_MAGIC            0x000
#define REG_VERSION          0x004
#define REG_DEVICE_ID        0x008
#define REG_DEVICE_FEATURES  0x010
#define REG_DEVICE_FEAT_SEL  0x014
#define REG_DRIVER_FEATURES  0x020
#define REG_DRIVER_FEAT_SEL  0x024
#define REG_GUEST_PAGE_SIZE  0x028 // legacy
#define REG_QUEUE_SEL        0x030
#define REG_QUEUE_NUM_MAX    0x034
#define REG_QUEUE_NUM        0x038
#define REG_QUEUE_ALIGN      0x03c // legacy
#define REG_QUEUE_PFN        0x040 // legacy
#define REG_QUEUE_READY      0x044
#define REG_QUEUE_NOTIFY     0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK    0x064
#define REG_STATUS           0x070
#define REG_QUEUE_DESC_LO    0x080
#define REG_QUEUE_DESC_HI    0x084
#define REG_QUEUE_AVAIL_LO   0x090
#define REG_QUEUE_AVAIL_HI   0x094
#define REG_QUEUE_USED_LO    0x0a0
#define REG_QUEUE_USED_HI    0x0a4
#define REG_CONFIG           0x100

#define VIRTIO_MMIO_MAGIC 0x74726976 // "virt"
// Legacy devices find the used ring at the next multiple of this after the avail ring.
#define LEGACY_ALIGN PAGE_SIZE

// Register accesses are ordered against ring memory the way Linux's
// readl/writel are: a read before the memory reads after it (InterruptStatus,
// then the used ring), a write after the memory writes before it (the rings,
// then QueuePFN or QueueNotify).
static uint32_t rd(struct virtio_dev *dev, uint32_t off) {
    uint32_t v = *(volatile uint32_t *)(dev->regs + off);
    virtio_io_rmb();
    return v;
}

static void wr(struct virtio_dev *dev, uint32_t off, uint32_t val) {
    virtio_io_wmb();
    *(volatile uint32_t *)(dev->regs + off) = val;
}

int virtio_mmio_init(struct virtio_dev *dev, handle_t mmio_folio) {
    const struct start_info *si = app_start_info();
    int64_t pa = sys_folio_paddr(mmio_folio);
    if (pa < 0)
        return (int)pa;
    int64_t va = sys_vmspace_map(si->vmspace, mmio_folio, PROT_READ | PROT_WRITE);
    if (va < 0)
        return (int)va;
    // The mapping starts at the page; the registers may start inside it.
    dev->regs = (volatile uint8_t *)(uintptr_t)va + (pa % PAGE_SIZE);
    if (rd(dev, REG_MAGIC) != VIRTIO_MMIO_MAGIC)
        return ERR_NOT_SUPPORTED;
    dev->version = rd(dev, REG_VERSION);
    dev->device_id = rd(dev, REG_DEVICE_ID);
    if ((dev->version != 1 && dev->version != 2) || dev->device_id == 0)
        return ERR_NOT_SUPPORTED;
    wr(dev, REG_STATUS, 0); // reset
    return 0;
}

int virtio_negotiate(struct virtio_dev *dev, uint64_t wanted) {
    wr(dev, REG_STATUS, 0);
    wr(dev, REG_STATUS, VIRTIO_STATUS_ACK);
    wr(dev, REG_STATUS, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
    wr(dev, REG_DEVICE_FEAT_SEL, 0);
    uint64_t offered = rd(dev, REG_DEVICE_FEATURES);
    wr(dev, REG_DEVICE_FEAT_SEL, 1);
    offered |= (uint64_t)rd(dev, REG_DEVICE_FEATURES) << 32;
    wanted &= ~(1ull << VIRTIO_F_RING_EVENT_IDX);
    if (dev->version == 2) {
        if (!(offered & (1ull << VIRTIO_F_VERSION_1)))
            return ERR_NOT_SUPPORTED;
        wanted |= 1ull << VIRTIO_F_VERSION_1;
    } else {
        wanted &= 0xffffffffull; // legacy has one feature word
    }
    dev->features = offered & wanted;
    wr(dev, REG_DRIVER_FEAT_SEL, 0);
    wr(dev, REG_DRIVER_FEATURES, (uint32_t)dev->features);
    wr(dev, REG_DRIVER_FEAT_SEL, 1);
    wr(dev, REG_DRIVER_FEATURES, (uint32_t)(dev->features >> 32));
    uint32_t status = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER;
    if (dev->version == 2) {
        // Only the modern interface has the FEATURES_OK handshake.
        wr(dev, REG_STATUS, status | VIRTIO_STATUS_FEATURES_OK);
        if (!(rd(dev, REG_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
            wr(dev, REG_STATUS, VIRTIO_STATUS_FAILED);
            return ERR_NOT_SUPPORTED;
        }
    } else {
        wr(dev, REG_GUEST_PAGE_SIZE, PAGE_SIZE);
    }
    return 0;
}

uint8_t virtio_config_read8(struct virtio_dev *dev, uint32_t off) {
    uint8_t v = *(volatile uint8_t *)(dev->regs + REG_CONFIG + off);
    virtio_io_rmb();
    return v;
}

int virtio_queue_setup(struct virtio_dev *dev, struct virtq *vq, uint16_t index,
                       uint16_t max_size) {
    wr(dev, REG_QUEUE_SEL, index);
    uint32_t dev_max = rd(dev, REG_QUEUE_NUM_MAX);
    if (dev_max == 0)
        return ERR_NOT_SUPPORTED;
    uint32_t n = 1;
    while (n * 2 <= dev_max && n * 2 <= max_size)
        n *= 2;
    // One layout for both interfaces: descriptors, avail ring, then the used
    // ring on the next page (what legacy devices compute from QueueAlign).
    size_t avail_off = 16 * (size_t)n;
    size_t used_off = (avail_off + 6 + 2 * (size_t)n + LEGACY_ALIGN - 1) & ~(size_t)(LEGACY_ALIGN - 1);
    size_t total = used_off + 6 + 8 * (size_t)n;
    struct mapped_folio mf;
    int err = folio_map_new(total, 1, &mf);
    if (err < 0)
        return err;
    vq->cookies = calloc(n, sizeof(void *));
    if (!vq->cookies) {
        folio_unmap_free(&mf);
        return ERR_NO_MEMORY;
    }
    memset(mf.addr, 0, mf.size);
    uint8_t *base = mf.addr;
    vq->index = index;
    vq->size = (uint16_t)n;
    vq->desc = (volatile struct virtq_desc *)base;
    vq->avail = (volatile uint16_t *)(base + avail_off);
    vq->used_hdr = (volatile uint16_t *)(base + used_off);
    vq->used = (volatile struct virtq_used_elem *)(base + used_off + 4);
    vq->paddr = mf.paddr;
    vq->mem = mf.addr;
    vq->folio = mf.folio;
    vq->last_used = vq->avail_shadow = 0;
    vq->num_free = (uint16_t)n;
    vq->free_head = 0;
    for (uint32_t i = 0; i < n; i++)
        vq->desc[i].next = (uint16_t)(i + 1);

    wr(dev, REG_QUEUE_NUM, n);
    if (dev->version == 1) {
        wr(dev, REG_QUEUE_ALIGN, LEGACY_ALIGN);
        wr(dev, REG_QUEUE_PFN, (uint32_t)(mf.paddr / PAGE_SIZE));
    } else {
        uint64_t d = mf.paddr, a = mf.paddr + avail_off, u = mf.paddr + used_off;
        wr(dev, REG_QUEUE_DESC_LO, (uint32_t)d);
        wr(dev, REG_QUEUE_DESC_HI, (uint32_t)(d >> 32));
        wr(dev, REG_QUEUE_AVAIL_LO, (uint32_t)a);
        wr(dev, REG_QUEUE_AVAIL_HI, (uint32_t)(a >> 32));
        wr(dev, REG_QUEUE_USED_LO, (uint32_t)u);
        wr(dev, REG_QUEUE_USED_HI, (uint32_t)(u >> 32));
        wr(dev, REG_QUEUE_READY, 1);
    }
    return 0;
}

void virtio_driver_ok(struct virtio_dev *dev) {
    uint32_t status = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK;
    if (dev->version == 2)
        status |= VIRTIO_STATUS_FEATURES_OK;
    wr(dev, REG_STATUS, status);
}

uint32_t virtio_irq_status_ack(struct virtio_dev *dev) {
    uint32_t s = rd(dev, REG_INTERRUPT_STATUS);
    if (s)
        wr(dev, REG_INTERRUPT_ACK, s);
    return s;
}

void virtq_notify(struct virtio_dev *dev, struct virtq *vq) {
    wr(dev, REG_QUEUE_NOTIFY, vq->index); // wr: the avail index is visible before the doorbell
}
