// SPDX-License-Identifier: MIT
// riscv64 ordering between the CPU, a virtio device's DMA and its MMIO registers.
#pragma once

// RVWMO orders memory (r, w) and device I/O (i, o) separately: a plain
// `fence rw,rw` does not order a ring write before the doorbell register.

// Ring writes (descriptor, ring entry) before the later write that publishes them.
static inline void virtio_dma_wmb(void) {
    __asm__ volatile("fence w,w" ::: "memory");
}

// The used index before the used element it covers.
static inline void virtio_dma_rmb(void) {
    __asm__ volatile("fence r,r" ::: "memory");
}

// Every earlier memory write before a register write (the doorbell, QueuePFN).
static inline void virtio_io_wmb(void) {
    __asm__ volatile("fence w,o" ::: "memory");
}

// A register read (InterruptStatus) before every later memory read.
static inline void virtio_io_rmb(void) {
    __asm__ volatile("fence i,r" ::: "memory");
}
