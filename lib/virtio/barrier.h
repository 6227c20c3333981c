// SPDX-License-Identifier: MIT
// The ordering primitives lib/virtio uses, from lib/virtio/arch/<arch>/virtio_arch.h.
#pragma once

// mk/libs.mk puts lib/virtio/arch/$(ARCH) on the include path of lib/virtio's own files.
#include <virtio_arch.h>
