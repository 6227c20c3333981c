// SPDX-License-Identifier: MIT
// The PC's COM1, a 16550 UART reached by port I/O: polled transmit, receive by interrupt.
#include "x86_64.h"

#define COM1 0x3f8
#define REG_DATA 0 // receive buffer (read) / transmit holding (write); divisor low with DLAB
#define REG_IER 1  // interrupt enable; divisor high with DLAB
#define REG_FCR 2  // FIFO control (write)
#define REG_LCR 3  // line control
#define REG_MCR 4  // modem control
#define REG_LSR 5  // line status
#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE 0x01 // FIFOs on; not cleared, so bytes typed during boot survive
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define MCR_DTR_RTS_OUT2 0x0b // OUT2 gates the IRQ line on the PC
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

void serial_init(void) {
    outb(COM1 + REG_IER, 0);
    // 115200 baud (divisor 1); QEMU ignores it, real 16550s need one.
    outb(COM1 + REG_LCR, LCR_DLAB);
    outb(COM1 + REG_DATA, 1);
    outb(COM1 + REG_IER, 0);
    outb(COM1 + REG_LCR, LCR_8N1);
    outb(COM1 + REG_FCR, FCR_ENABLE);
    outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);
}

void serial_putc(char ch) {
    while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
        ;
    outb(COM1 + REG_DATA, (uint8_t)ch);
}

int serial_getc(void) {
    if (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
        return ERR_EMPTY;
    return inb(COM1 + REG_DATA);
}

void serial_set_rx_irq(bool on) {
    outb(COM1 + REG_IER, on ? IER_RX_AVAILABLE : 0);
}
