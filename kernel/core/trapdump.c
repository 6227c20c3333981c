// SPDX-License-Identifier: MIT
// Helpers shared by every arch's trap handler: frame-pointer backtraces and the kernel-fault report.
#include "trapdump.h"

void trapdump_backtrace(uint64_t fp, int first, int64_t record_offset,
                        bool (*readable)(vaddr_t va)) {
    for (int i = first; i < TRAPDUMP_BACKTRACE_MAX && fp; i++) {
        // A negative offset below address 0 would wrap: no record there.
        if (!IS_ALIGNED(fp, 8) || (record_offset < 0 && fp < (uint64_t)-record_offset))
            break;
        uint64_t rec = fp + (uint64_t)record_offset;
        if (!readable(rec) || !readable(rec + 8))
            break;
        uint64_t prev = ((uint64_t *)rec)[0], ra = ((uint64_t *)rec)[1];
        if (!ra)
            break;
        kprintf("  #%d 0x%016lx\n", i, ra);
        if (prev <= fp)
            break;
        fp = prev;
    }
}

void trapdump_kernel_fault(const char *desc, const char *pc_name, vaddr_t pc, vaddr_t addr,
                           void (*dump)(const void *frame), const void *frame) {
    // A fault while reporting one (a bad frame record, the emergency stack
    // overflowing in turn) must not loop or hide the first report: stop here.
    static bool reporting;
    if (reporting) {
        kprintf("\n*** kernel fault while reporting one: %s at %s %#lx, address %#lx\n", desc,
                pc_name, pc, addr);
        arch_shutdown(1);
    }
    reporting = true;
    kprintf("\n*** kernel fault: %s at %s %#lx, address %#lx\n", desc, pc_name, pc, addr);
    dump(frame);
    fault_handle(false, pc, addr, desc);
    arch_shutdown(1); // fault_handle panics on a kernel fault; never resume
}

void trapdump_user_fault(vaddr_t pc, vaddr_t addr, const char *desc) {
    fault_handle(true, pc, addr, desc);
    panic("%s: fault_handle returned for a user fault", arch_name);
}
