// SPDX-License-Identifier: MIT
// x86_64 ordering between the CPU, a virtio device's DMA and its MMIO registers.
#pragma once

// Write-back memory is TSO (stores stay in order, loads stay in order) and
// the registers are mapped uncached (strongly ordered against everything), so
// only the compiler has to be kept from reordering.

// Ring writes (descriptor, ring entry) before the later write that publishes them.
static inline void virtio_dma_wmb(void) {
    __asm__ volatile("" ::: "memory");
}

// The used index before the used element it covers.
static inline void virtio_dma_rmb(void) {
    __asm__ volatile("" ::: "memory");
}

// Every earlier memory write before a register write (the doorbell, QueuePFN).
static inline void virtio_io_wmb(void) {
    __asm__ volatile("" ::: "memory");
}

// A register read (InterruptStatus) before every later memory read.
static inline void virtio_io_rmb(void) {
    __asm__ volatile("" ::: "memory");
}
