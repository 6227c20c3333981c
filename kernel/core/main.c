// SPDX-License-Identifier: MIT
// kernel_main: brings the core up after the arch's boot code and hands over to init and the scheduler.
#include "bootfs.h"
#include "console.h"
#include "device.h"
#include "init.h"
#include "page.h"
#include "process.h"
#include "thread.h"
#include "vmspace.h"

#define STELLINA_VERSION "0.1.0"

uint32_t machine_cpus;

void timer_interrupt(void) {
    ktimer_interrupt();
    sched_maybe_preempt();
}

void kernel_main(const struct boot_info *bi) {
    uint64_t entered_at = arch_now_ns();
    machine_cpus = (uint32_t)bi->num_cpus;
    uint64_t ram = 0;
    for (int i = 0; i < bi->num_mem; i++)
        ram += bi->mem[i].size;
    kprintf("\nStellina %s (%s): %lu MiB RAM, %d CPU%s\n", STELLINA_VERSION, arch_name,
            (unsigned long)(ram >> 20), bi->num_cpus, bi->num_cpus == 1 ? "" : "s");
    page_init(bi);
    console_init();
    vmspace_init();
    process_init();
    sched_init();
    bootfs_init();
    device_init(bi);
    kprintf("kernel: %zu free pages of %zu; starting init\n", page_free_count(), page_total_count());
    init_start();
    // Under -icount shift=0 this is the number of instructions since reset.
    kprintf("kernel: apps started at %lu ns (kernel_main entered at %lu ns)\n",
            (unsigned long)arch_now_ns(), (unsigned long)entered_at);
    sched_run_idle();
}
