// SPDX-License-Identifier: MIT
// The ARM PL011 UART: 32-bit registers, polled transmit, receive and receive-timeout interrupts.
#include "pl011.h"
#include "../../abi/error.h"

#define REG_DR 0x00   // data
#define REG_FR 0x18   // flags
#define REG_LCR_H 0x2c // line control
#define REG_CR 0x30   // control
#define REG_IMSC 0x38 // interrupt mask set/clear (1 = enabled)
#define REG_ICR 0x44  // interrupt clear
#define FR_RXFE (1u << 4) // receive FIFO empty
#define FR_TXFF (1u << 5) // transmit FIFO full
#define LCR_H_FEN (1u << 4)
#define LCR_H_WLEN8 (3u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define INT_RX (1u << 4) // receive FIFO reached its trigger level
#define INT_RT (1u << 6) // receive timeout: data waits below the trigger level
#define INT_ALL 0x7ffu

static volatile uint32_t *reg(struct pl011 *u, unsigned off) {
    return (volatile uint32_t *)(u->base + off);
}

void pl011_init(struct pl011 *u, uintptr_t base) {
    u->base = base;
    *reg(u, REG_IMSC) = 0;
    *reg(u, REG_ICR) = INT_ALL;
    // LCR_H is only written while the UART is off; bytes already in the
    // receive FIFO (typed during boot) survive, as FEN stays set.
    *reg(u, REG_CR) = 0;
    *reg(u, REG_LCR_H) = LCR_H_WLEN8 | LCR_H_FEN;
    *reg(u, REG_CR) = CR_UARTEN | CR_TXE | CR_RXE;
}

void pl011_putc(struct pl011 *u, char ch) {
    while (*reg(u, REG_FR) & FR_TXFF)
        ;
    *reg(u, REG_DR) = (uint8_t)ch;
}

int pl011_getc(struct pl011 *u) {
    if (*reg(u, REG_FR) & FR_RXFE)
        return ERR_EMPTY;
    return (int)(*reg(u, REG_DR) & 0xff);
}

void pl011_set_rx_irq(struct pl011 *u, int on) {
    *reg(u, REG_IMSC) = on ? INT_RX | INT_RT : 0;
}

void pl011_ack_rx(struct pl011 *u) {
    *reg(u, REG_ICR) = INT_RX | INT_RT;
}
