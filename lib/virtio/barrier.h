// SPDX-License-Identifier: MIT
// The ordering primitives lib/virtio uses, from lib/virtio/arch/<arch>/virtio_arch.h.
#pragma once

// The build puts lib/virtio/arch/$(ARCH) on the include path of lib/virtio's
// own files. A build that does not yet (see docs/networking.md) gets full
// barriers, which order memory but, on some arches, not device registers.
#if __has_include(<virtio_arch.h>)
#include <virtio_arch.h>
#else
static inline void virtio_dma_wmb(void) { __sync_synchronize(); }
static inline void virtio_dma_rmb(void) { __sync_synchronize(); }
static inline void virtio_io_wmb(void) { __sync_synchronize(); }
static inline void virtio_io_rmb(void) { __sync_synchronize(); }
#endif
