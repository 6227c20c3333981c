// SPDX-License-Identifier: MIT
// Private definitions of the riscv64 port: CSR access, the trap frame and the functions its files share.
#pragma once
#include "../../core/common.h"
#include "../../drivers/fdt.h"

#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP (1ul << 8)  // the mode a trap came from: 1 = supervisor
#define SSTATUS_FS (3ul << 13)  // floating-point unit state; 0 = off
#define SSTATUS_SUM (1ul << 18) // supervisor may touch user pages
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)
#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_TIMER 5
#define IRQ_S_EXTERNAL 9
#define EXC_ECALL_U 8
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

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
#define TRAP_FRAME_SIZE (36 * 8)

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

// cpu.c: SBI, timer, interrupt controller glue
void riscv64_timer_init(uint64_t timebase_hz);
void riscv64_timer_interrupt(void);
void riscv64_external_interrupt(void);
void riscv64_sbi_shutdown(bool failure);
void riscv64_sbi_putchar(char ch);

// mmu.c
// A physical range the kernel page table maps, with ARCH_PROT_* bits.
struct riscv64_map_range {
    paddr_t base;
    uint64_t size;
    unsigned prot;
};
// Builds the kernel's identity map of `ranges` (RAM with 2 MiB/1 GiB pages,
// the kernel image [kstart, kend) with 4 KiB pages, text executable), taking
// page-table pages from *next_free upward (they become part of the kernel
// image), and turns on Sv39. Panics if a table cannot be placed.
void riscv64_mmu_init(const struct riscv64_map_range *ranges, int n, paddr_t kstart,
                      paddr_t kend, paddr_t *next_free);
// Copies a kernel-range top-level entry into the current (user) page table if
// it appeared after that table was created. Returns true if it did, so the
// faulting access can be retried.
bool riscv64_mmu_sync_kernel(vaddr_t va);
// Whether the kernel can read 8 bytes at va right now (for backtraces).
bool riscv64_mmu_readable(vaddr_t va);
