// SPDX-License-Identifier: MIT
// Split virtqueues: handing single-descriptor buffers to a device and taking them back.
#include <abi/error.h>
#include <virtio/virtio.h>
#include "barrier.h"

// avail ring layout in 16-bit words: [0] flags, [1] idx, [2 + i] ring[i].
#define AVAIL_IDX  1
#define AVAIL_RING 2
// used header in 16-bit words: [0] flags, [1] idx.
#define USED_IDX 1

int virtq_push(struct virtq *vq, uint64_t paddr, uint32_t len, bool writable, void *cookie) {
    if (vq->num_free == 0)
        return ERR_FULL;
    uint16_t d = vq->free_head;
    vq->free_head = vq->desc[d].next;
    vq->num_free--;
    vq->desc[d].addr = paddr;
    vq->desc[d].len = len;
    vq->desc[d].flags = writable ? VIRTQ_DESC_F_WRITE : 0;
    vq->cookies[d] = cookie;
    vq->avail[AVAIL_RING + (vq->avail_shadow & (vq->size - 1))] = d;
    // The descriptor and ring entry are written before the index that publishes them.
    virtio_dma_wmb();
    vq->avail_shadow++;
    vq->avail[AVAIL_IDX] = vq->avail_shadow;
    return 0;
}

void *virtq_pop(struct virtq *vq, uint32_t *len) {
    uint16_t used_idx = vq->used_hdr[USED_IDX];
    if (used_idx == vq->last_used)
        return NULL;
    // Read the element only after seeing the index that covers it.
    virtio_dma_rmb();
    volatile struct virtq_used_elem *e = &vq->used[vq->last_used & (vq->size - 1)];
    uint32_t id = e->id;
    *len = e->len;
    vq->last_used++;
    if (id >= vq->size)
        return NULL; // a confused device; never index out of the table
    void *cookie = vq->cookies[id];
    vq->cookies[id] = NULL;
    vq->desc[id].next = vq->free_head;
    vq->free_head = (uint16_t)id;
    vq->num_free++;
    return cookie;
}
