// SPDX-License-Identifier: MIT
// virtio for drivers: the virtio-mmio transport (legacy and modern) and split virtqueues.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stellina/syscall.h>

// Device status bits (virtio 1.1, 2.1).
#define VIRTIO_STATUS_ACK         1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      128

// Transport feature bits that a driver may care about.
#define VIRTIO_F_RING_EVENT_IDX 29 // never negotiated: QEMU 7.2's virtio-net stalls with it
#define VIRTIO_F_VERSION_1      32 // required by (and only by) the modern interface

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

// One split virtqueue: the three rings live in one DMA folio.
struct virtq {
    uint16_t index;          // queue number on the device
    uint16_t size;           // entries (a power of two)
    uint16_t num_free;       // free descriptors
    uint16_t free_head;      // first free descriptor (chained through .next)
    uint16_t last_used;      // next used-ring entry the driver will look at
    uint16_t avail_shadow;   // our copy of avail->idx
    volatile struct virtq_desc *desc;
    volatile uint16_t *avail;    // flags, idx, ring[size]
    volatile uint16_t *used_hdr; // flags, idx; followed by the elements
    volatile struct virtq_used_elem *used;
    void **cookies;          // per head descriptor: what the driver attached
    uint64_t paddr;          // physical address of the rings
    void *mem;               // their mapping
    handle_t folio;
};

// One virtio-mmio device.
struct virtio_dev {
    volatile uint8_t *regs;  // the register window
    uint32_t version;        // 1: legacy, 2: modern
    uint32_t device_id;
    uint64_t features;       // negotiated
};

// Maps the register folio (env "<dev>.mmio"), checks the magic and resets the
// device. Returns 0, ERR_NOT_SUPPORTED (not virtio-mmio, or an unknown
// version, or no device behind the slot) or the error of the mapping.
int virtio_mmio_init(struct virtio_dev *dev, handle_t mmio_folio);
// Resets the device and walks the status through ACK and DRIVER, then offers
// `wanted & device_features` (plus VERSION_1 on a modern device; never
// EVENT_IDX). Returns 0 with dev->features set, or ERR_NOT_SUPPORTED when the
// device rejects the feature set.
int virtio_negotiate(struct virtio_dev *dev, uint64_t wanted);
// Reads byte `off` of the device-specific configuration space.
uint8_t virtio_config_read8(struct virtio_dev *dev, uint32_t off);
// Allocates queue `index` with up to `max_size` entries and tells the device
// where it is. Returns 0 or ERR_NOT_SUPPORTED (no such queue) / ERR_NO_MEMORY.
int virtio_queue_setup(struct virtio_dev *dev, struct virtq *vq, uint16_t index,
                       uint16_t max_size);
// Sets DRIVER_OK: the device may use the queues from now on.
void virtio_driver_ok(struct virtio_dev *dev);
// Reads and acknowledges the interrupt status (bit 0: used ring, bit 1: config).
uint32_t virtio_irq_status_ack(struct virtio_dev *dev);

// Queues one buffer (device-readable, or device-writable if `writable`) with
// `cookie`; returns 0 or ERR_FULL when no descriptor is free. Nothing reaches
// the device until virtq_notify.
int virtq_push(struct virtq *vq, uint64_t paddr, uint32_t len, bool writable, void *cookie);
// Tells the device about buffers pushed since the last notify.
void virtq_notify(struct virtio_dev *dev, struct virtq *vq);
// Takes the next buffer the device has finished with: returns its cookie and
// sets *len to the bytes it wrote, or returns NULL if none is done.
void *virtq_pop(struct virtq *vq, uint32_t *len);
