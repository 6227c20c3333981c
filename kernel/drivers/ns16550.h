// SPDX-License-Identifier: MIT
// The 16550-compatible UART (QEMU virt's console): polled output, receive by interrupt or polling.
#pragma once
#include <stdint.h>

struct ns16550 {
    uintptr_t base;     // mapped register base
    unsigned reg_shift; // registers are 1 << reg_shift bytes apart (DTB "reg-shift")
};

// Sets 8N1 with FIFOs on and every UART interrupt off. The baud rate is left
// as firmware set it (QEMU ignores it).
void ns16550_init(struct ns16550 *u, uintptr_t base, unsigned reg_shift);
// Writes one byte, waiting for room in the transmitter.
void ns16550_putc(struct ns16550 *u, char ch);
// The next received byte (0..255), or ERR_EMPTY if none is waiting.
int ns16550_getc(struct ns16550 *u);
// Raises the UART's interrupt line while received data waits (or not).
void ns16550_set_rx_irq(struct ns16550 *u, int on);
