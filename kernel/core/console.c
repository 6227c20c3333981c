// SPDX-License-Identifier: MIT
// The console: kernel log output (kept in a ring for log_read) and typed input as a pollable object.
#include "console.h"
#include "ringbuf.h"
#include <stdio.h>

#define LOG_RING_SIZE   (64 * 1024)
#define INPUT_RING_SIZE 1024

static uint8_t log_storage[LOG_RING_SIZE];
static uint8_t input_storage[INPUT_RING_SIZE];
static struct ringbuf log_ring = {log_storage, LOG_RING_SIZE, 0, 0};
static struct ringbuf input_ring = {input_storage, INPUT_RING_SIZE, 0, 0};
// Lives for the whole uptime: the initial reference is never dropped.
static struct console the_console;

void console_init(void) {
    kobj_init(&the_console.obj, KOBJ_CONSOLE);
}

struct kobj *console_get(void) {
    kobj_ref(&the_console.obj);
    return &the_console.obj;
}

uint32_t console_readiness(void) {
    return ringbuf_used(&input_ring) ? POLL_READABLE : 0;
}

void console_input(char ch) {
    // A full input ring drops what is typed: nobody reads the console.
    if (ringbuf_write(&input_ring, &ch, 1) == 1)
        kobj_notify(&the_console.obj);
}

size_t console_read(char *buf, size_t len) {
    return ringbuf_read(&input_ring, buf, len);
}

void log_write(const char *s, size_t len) {
    arch_console_write(s, len);
    ringbuf_write_overwrite(&log_ring, s, len);
}

size_t log_read(char *buf, size_t len, uint64_t offset, uint64_t *copied_from) {
    return ringbuf_read_at(&log_ring, offset, buf, len, copied_from);
}

static void vkprintf(const char *fmt, va_list ap) {
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return;
    log_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

void kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...) {
    arch_irq_save();
    va_list ap;
    va_start(ap, fmt);
    kprintf("PANIC: ");
    vkprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    arch_backtrace();
    arch_shutdown(1);
}
