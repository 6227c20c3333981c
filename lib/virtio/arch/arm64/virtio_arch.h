// SPDX-License-Identifier: MIT
// arm64 ordering between the CPU, a virtio device's DMA and its MMIO registers.
#pragma once

// The device is outside the CPUs' inner-shareable domain as far as the
// architecture knows (DMA masters and Device memory are outer shareable), so
// every barrier names the outer-shareable domain, as Linux's dma_*mb and
// readl/writel do.

// Ring writes (descriptor, ring entry) before the later write that publishes them.
static inline void virtio_dma_wmb(void) {
    __asm__ volatile("dmb oshst" ::: "memory");
}

// The used index before the used element it covers.
static inline void virtio_dma_rmb(void) {
    __asm__ volatile("dmb oshld" ::: "memory");
}

// Every earlier memory write before a register write (the doorbell, QueuePFN).
static inline void virtio_io_wmb(void) {
    __asm__ volatile("dmb oshst" ::: "memory");
}

// A register read (InterruptStatus) before every later memory read.
static inline void virtio_io_rmb(void) {
    __asm__ volatile("dmb oshld" ::: "memory");
}
