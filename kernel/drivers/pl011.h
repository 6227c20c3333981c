// SPDX-License-Identifier: MIT
// The ARM PL011 UART (QEMU arm virt's console): polled output, receive by interrupt or polling.
#pragma once
#include <stdint.h>

struct pl011 {
    uintptr_t base; // mapped register base
};

// Sets 8N1 with FIFOs on, transmitter and receiver on, every UART interrupt
// off. The baud rate is left as firmware set it (QEMU ignores it).
void pl011_init(struct pl011 *u, uintptr_t base);
// Writes one byte, waiting for room in the transmit FIFO.
void pl011_putc(struct pl011 *u, char ch);
// The next received byte (0..255), or ERR_EMPTY if none is waiting.
int pl011_getc(struct pl011 *u);
// Raises the UART's interrupt line while received data waits (or not).
void pl011_set_rx_irq(struct pl011 *u, int on);
// Clears the receive interrupts after the FIFO was drained with pl011_getc.
void pl011_ack_rx(struct pl011 *u);
