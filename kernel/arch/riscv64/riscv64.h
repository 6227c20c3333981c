// SPDX-License-Identifier: MIT
// Private definitions of the riscv64 port: CSR access, the trap frame and the functions its files share.
#pragma once

// The constants below are shared with the assembly in trap.S,
// so they are plain numbers without C suffixes.
#define SSTATUS_SIE (1 << 1)
#define SSTATUS_SPIE (1 << 5)
#define SSTATUS_SPP (1 << 8)  // the mode a trap came from: 1 = supervisor
#define SSTATUS_FS (3 << 13)  // floating-point unit state; 0 = off
#define SSTATUS_SUM (1 << 18) // supervisor may touch user pages: never set (see mmu.c)
#define SIE_STIE (1 << 5)
#define SIE_SEIE (1 << 9)
#define IRQ_S_TIMER 5
#define IRQ_S_EXTERNAL 9
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

// Address space layout (Sv39 gives 39-bit addresses; we use the low half,
// 0 .. 0x40_0000_0000). RAM and MMIO are identity-mapped below
// 0x20_0000_0000; each range below is a whole number of 1 GiB top-level entries.
#define KERNEL_MAP_BASE 0x2000000000
#define KERNEL_MAP_END 0x2200000000 // 8 GiB: 8 boot-time tables cover it
#define USER_BASE 0x3000000000
#define USER_END 0x3ffffff000 // the last page stays unmapped as a guard

#define TRAP_FRAME_SIZE (36 * 8) // sizeof(struct trap_frame)

#ifndef __ASSEMBLER__
#include "../../core/common.h"
#include "../../drivers/fdt.h"

#define SCAUSE_INTERRUPT (1ul << 63)

#define csr_read(csr)                                                                     \
    ({                                                                                    \
        uint64_t v_;                                                                      \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));                                    \
        v_;                                                                               \
    })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")

// What trap.S saves on every trap, on the stack the trap runs on. Field N
// (counting from 0) is register xN, so trap.S can store xN at N*8; the x0
// slot is unused padding. Keep in sync with trap.S (sizes asserted in trap.c).
struct trap_frame {
    uint64_t zero, ra, sp, gp, tp, t0, t1, t2, s0, s1;
    uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
    uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
    uint64_t t3, t4, t5, t6;
    uint64_t sepc, sstatus, scause, stval;
};

// boot.c
extern struct fdt riscv64_fdt;       // the device tree, parsed once at boot
extern uint64_t riscv64_boot_hartid;
bool riscv64_console_irq(unsigned irq); // handles the console UART's IRQ; false if not it
void riscv64_boot(uint64_t hartid, paddr_t dtb) __attribute__((noreturn));

// trap.c / trap.S
void riscv64_trap(struct trap_frame *f);
void riscv64_trap_entry(void);
void riscv64_thread_start(void);
void riscv64_dump_frame(const struct trap_frame *f);
void riscv64_thread_returned(void) __attribute__((noreturn)); // a kernel thread's entry returned

// trap.S: whether S-mode may write stimecmp (an illegal-instruction trap at
// riscv64_probe_insn means no; trap.c resumes it with false).
bool riscv64_probe_stimecmp(void);

// cpu.c: SBI, timer, interrupt controller glue
void riscv64_timer_init(uint64_t timebase_hz, bool isa_has_sstc);
void riscv64_timer_interrupt(void);
void riscv64_external_interrupt(void);
void riscv64_sbi_shutdown(bool failure);
void riscv64_sbi_putchar(char ch);

// mmu.c
// Builds the kernel's identity map of `ranges` (RAM with 2 MiB/1 GiB pages,
// the kernel image [kstart, kend) with 4 KiB pages, text executable), taking
// page-table pages from *next_free upward (they become part of the kernel
// image), and turns on Sv39. Panics if a table cannot be placed.
struct bootmem_range;
void riscv64_mmu_init(const struct bootmem_range *ranges, int n, paddr_t kstart,
                      paddr_t kend, paddr_t *next_free);
// Whether the kernel can read 8 bytes at va right now (for backtraces).
bool riscv64_mmu_readable(vaddr_t va);
#endif // __ASSEMBLER__
