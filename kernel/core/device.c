// SPDX-License-Identifier: MIT
// The device list: what the arch found at boot, probed once, handed to one driver each.
#include "device.h"
#include "kmalloc.h"
#include <string.h>

#define VIRTIO_MMIO_MAGIC 0x74726976 // "virt", little endian
#define VIRTIO_MMIO_STATUS 0x70      // writing 0 resets the device (legacy and modern)
static struct device devices[BOOT_DEVICES_MAX];
static int num_devices;

void device_init(const struct boot_info *bi) {
    for (int i = 0; i < bi->num_devices && i < BOOT_DEVICES_MAX; i++) {
        struct device *d = &devices[num_devices++];
        d->info = bi->devices[i];
        d->info.compatible[sizeof(d->info.compatible) - 1] = '\0';
        if (strcmp(d->info.compatible, "virtio,mmio") == 0 && d->info.size >= 12) {
            volatile uint32_t *regs = arch_paddr_to_ptr(d->info.base);
            if (regs[0] == VIRTIO_MMIO_MAGIC)
                d->virtio_id = regs[2]; // 0 marks an empty slot
        }
        if (d->virtio_id)
            kprintf("device: %s at %p irq %u: virtio device %u\n", d->info.compatible,
                    (void *)d->info.base, d->info.irq, d->virtio_id);
    }
}

struct device *device_claim(const char *compatible, uint32_t virtio_id, const void *owner) {
    for (int i = 0; i < num_devices; i++) {
        struct device *d = &devices[i];
        if (strcmp(d->info.compatible, compatible) != 0 || (virtio_id && d->virtio_id != virtio_id))
            continue;
        if (d->owner == NULL) {
            d->owner = owner;
            return d;
        }
    }
    return NULL;
}

struct folio *device_mmio_folio(const struct device *dev) {
    struct folio *f = kmalloc(sizeof(*f));
    if (!f)
        return NULL;
    kobj_init(&f->obj, KOBJ_FOLIO);
    f->is_mmio = true;
    f->paddr = ALIGN_DOWN(dev->info.base, PAGE_SIZE);
    f->mmio_offset = dev->info.base - f->paddr;
    f->npages = (ALIGN_UP(dev->info.base + dev->info.size, PAGE_SIZE) - f->paddr) / PAGE_SIZE;
    return f;
}

void device_reset_owned(const void *owner) {
    for (int i = 0; i < num_devices; i++) {
        struct device *d = &devices[i];
        if (d->owner != owner || !d->virtio_id)
            continue;
        volatile uint32_t *status = arch_paddr_to_ptr(d->info.base + VIRTIO_MMIO_STATUS);
        *status = 0;
    }
}

bool device_irq_owned_by(unsigned irq, const void *owner) {
    for (int i = 0; i < num_devices; i++) {
        if (devices[i].info.irq == irq && owner && devices[i].owner == owner)
            return true;
    }
    return false;
}
