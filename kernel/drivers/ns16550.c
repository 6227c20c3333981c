// SPDX-License-Identifier: MIT
// The 16550-compatible UART: byte-wide registers, polled transmit, receive-data-available interrupt.
#include "ns16550.h"
#include "../../abi/error.h"

#define REG_RBR 0 // receive buffer (read)
#define REG_THR 0 // transmit holding (write)
#define REG_IER 1 // interrupt enable
#define REG_FCR 2 // FIFO control (write)
#define REG_LCR 3 // line control
#define REG_MCR 4 // modem control
#define REG_LSR 5 // line status
#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE 0x01 // FIFOs on; not cleared, so bytes typed during boot survive
#define LCR_8N1 0x03
#define MCR_DTR_RTS_OUT2 0x0b // OUT2 gates the IRQ line on PC-style 16550s
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static volatile uint8_t *reg(struct ns16550 *u, unsigned r) {
    return (volatile uint8_t *)(u->base + ((uintptr_t)r << u->reg_shift));
}

void ns16550_init(struct ns16550 *u, uintptr_t base, unsigned reg_shift) {
    u->base = base;
    u->reg_shift = reg_shift;
    *reg(u, REG_IER) = 0;
    *reg(u, REG_LCR) = LCR_8N1;
    *reg(u, REG_FCR) = FCR_ENABLE;
    *reg(u, REG_MCR) = MCR_DTR_RTS_OUT2;
}

void ns16550_putc(struct ns16550 *u, char ch) {
    while (!(*reg(u, REG_LSR) & LSR_THR_EMPTY))
        ;
    *reg(u, REG_THR) = (uint8_t)ch;
}

int ns16550_getc(struct ns16550 *u) {
    if (!(*reg(u, REG_LSR) & LSR_DATA_READY))
        return ERR_EMPTY;
    return *reg(u, REG_RBR);
}

void ns16550_set_rx_irq(struct ns16550 *u, int on) {
    *reg(u, REG_IER) = on ? IER_RX_AVAILABLE : 0;
}
