// SPDX-License-Identifier: MIT
// The device list: what the arch found at boot, probed once, handed to one driver each.
#pragma once
#include "common.h"
#include "folio.h"

struct device {
    struct boot_device info;
    uint32_t virtio_id;    // virtio device ID read from the registers (0: none or not virtio)
    const void *owner;     // who claimed it (an init instance), or NULL
};

// Copies the arch's device list and probes virtio-mmio slots for their device IDs.
void device_init(const struct boot_info *bi);
// The first device matching `compatible` (and virtio_id, if non-zero) that
// nobody owns; it is claimed for `owner` for good. NULL if none.
struct device *device_claim(const char *compatible, uint32_t virtio_id, const void *owner);
// Resets every device `owner` holds (virtio: status 0), so none of them
// writes into memory of a driver that is gone. They stay claimed for it.
void device_reset_owned(const void *owner);
// Whether `irq` is the interrupt of a device `owner` holds.
bool device_irq_owned_by(unsigned irq, const void *owner);
// A folio over the device's registers (never freed to the page allocator),
// or NULL. folio_paddr of it is the exact register base, which need not be
// page aligned (several devices may share a page on some machines).
struct folio *device_mmio_folio(const struct device *dev);
