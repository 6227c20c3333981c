// SPDX-License-Identifier: MIT
// The host stub arch: just enough of arch.h and the kernel's console/panic for host unit tests.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../core/common.h"
#include "host.h"

const char arch_name[] = ARCH_NAME;
jmp_buf host_panic_jmp;
volatile bool host_panic_armed;
char host_panic_message[512];

// Tests hand the allocators host memory, so physical addresses are host pointers.
void *arch_paddr_to_ptr(paddr_t pa) {
    return (void *)(uintptr_t)pa;
}

paddr_t arch_ptr_to_paddr(const void *p) {
    return (paddr_t)(uintptr_t)p;
}

uint64_t arch_irq_save(void) {
    return 0;
}

void arch_irq_restore(uint64_t flags) {
    (void)flags;
}

void arch_console_write(const char *s, size_t len) {
    fwrite(s, 1, len, stderr);
}

uint64_t host_now_ns;
uint64_t host_timer_deadline;
unsigned host_timer_sets;

uint64_t arch_now_ticks(void) {
    return host_now_ns;
}

void arch_timer_set(uint64_t deadline_ns) {
    host_timer_deadline = deadline_ns;
    host_timer_sets++;
}

uint64_t arch_ticks_to_ns(uint64_t ticks) {
    return ticks;
}

void arch_backtrace(void) {}

void arch_shutdown(int code) {
    exit(code);
}

void kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(host_panic_message, sizeof(host_panic_message), fmt, ap);
    va_end(ap);
    if (host_panic_armed) {
        host_panic_armed = false;
        longjmp(host_panic_jmp, 1);
    }
    fprintf(stderr, "PANIC: %s\n", host_panic_message);
    abort();
}
