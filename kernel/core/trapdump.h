// SPDX-License-Identifier: MIT
// Helpers shared by every arch's trap handler: frame-pointer backtraces and the kernel-fault report.
#pragma once
#include "common.h"

#define TRAPDUMP_BACKTRACE_MAX 32

// Prints "  #i 0x<return address>" for the frame records reachable from
// `fp`, numbering from `first`. A record is two words {caller's fp, return
// address} at fp + record_offset (0 on arm64 and x86_64, -16 on riscv64).
// Stops at fp 0, at a record `readable` denies, at a zero return address, or
// when the chain does not go up the stack; never faults itself.
void trapdump_backtrace(uint64_t fp, int first, int64_t record_offset,
                        bool (*readable)(vaddr_t va));

// The end of a fault in kernel mode that nothing can fix: prints
// "*** kernel fault: <desc> at <pc_name> <pc>, address <addr>", calls
// dump(frame) for the arch's registers and backtrace, then lets core panic
// (fault_handle). Never returns.
void trapdump_kernel_fault(const char *desc, const char *pc_name, vaddr_t pc, vaddr_t addr,
                           void (*dump)(const void *frame), const void *frame) NORETURN;

// A fault in user mode: core kills the process and switches away for good
// (its kernel stack, the trap frame included, is freed with it). Never returns.
void trapdump_user_fault(vaddr_t pc, vaddr_t addr, const char *desc) NORETURN;
