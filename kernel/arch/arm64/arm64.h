// SPDX-License-Identifier: MIT
// Private definitions of the arm64 port: system registers, the memory map, the trap frame and shared functions.
#pragma once

// ---- memory map (see docs/arch-arm64.md) ---------------------------------------
// TTBR1 (upper half): all RAM and the devices the kernel uses, at a fixed
// offset from their physical address, the kernel image among them.
// TTBR0 (lower half): the current user vmspace, and above it the region where
// the kernel vmspace places in-kernel apps. That region is in the lower half
// because syscalls return addresses as positive int64_t; its one level-0
// entry is shared by every TTBR0 table, so it is mapped in all of them.
// These constants are shared with the assembly files, so they carry no C suffixes.
#define KERNEL_VBASE 0xffff000000000000
#define USER_BASE 0x0000000010000000
#define USER_END 0x00007ffffffff000 // the last page stays unmapped as a guard
#define KERNEL_MAP_BASE 0x0000800000000000
#define KERNEL_MAP_END 0x0000808000000000 // one level-0 entry: 512 GiB

#ifndef __ASSEMBLER__
#include "../../core/common.h"
#include "../../drivers/fdt.h"

// ---- system registers ------------------------------------------------------------
// Two levels, so that a register named by a macro (ICC_*) is expanded first.
#define sysreg_read(reg) sysreg_read_(reg)
#define sysreg_write(reg, v) sysreg_write_(reg, v)
#define sysreg_read_(reg)                                                                 \
    ({                                                                                    \
        uint64_t v_;                                                                      \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_));                                     \
        v_;                                                                               \
    })
#define sysreg_write_(reg, v) __asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

// GICv3 CPU interface registers by encoding (so no assembler extension is needed).
#define ICC_PMR_EL1 s3_0_c4_c6_0
#define ICC_IAR1_EL1 s3_0_c12_c12_0
#define ICC_EOIR1_EL1 s3_0_c12_c12_1
#define ICC_BPR1_EL1 s3_0_c12_c12_3
#define ICC_CTLR_EL1 s3_0_c12_c12_4
#define ICC_SRE_EL1 s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7
#define ICC_DIR_EL1 s3_0_c12_c11_1
#define PAN_REG s3_0_c4_c2_3 // PSTATE.PAN as a register (ARMv8.1)
#define PAN_BIT (1ul << 22)   // where the register view keeps it

#define DAIF_I (1ul << 7)
#define SPSR_MODE_MASK 0xful // M[3:0]: 0 = EL0t
#define SCTLR_SPAN (1ul << 23)

// Exception classes (ESR_EL1.EC) the trap handler tells apart.
#define EC_UNKNOWN 0x00
#define EC_SVC64 0x15
#define EC_IABT_LOWER 0x20
#define EC_IABT_SAME 0x21
#define EC_DABT_LOWER 0x24
#define EC_DABT_SAME 0x25

// What trap.S saves on every exception, on the stack it runs on: x0..x30 at
// N*8, then sp (SP_EL0 for traps from EL0), ELR, SPSR, ESR and FAR. Keep in
// sync with trap.S (offsets asserted in trap.c).
struct trap_frame {
    uint64_t x[31];
    uint64_t sp, elr, spsr, esr, far;
};
#define TRAP_FRAME_SIZE (36 * 8)

// Which of the vector table's entries was taken (trap.S passes it in x1).
enum trap_kind {
    TRAP_EL1_SYNC, TRAP_EL1_IRQ, TRAP_EL1_FIQ, TRAP_EL1_SERROR,
    TRAP_EL0_SYNC, TRAP_EL0_IRQ, TRAP_EL0_FIQ, TRAP_EL0_SERROR,
    TRAP_UNEXPECTED, // EL1 with SP_EL0, or from AArch32
};

// boot.c
extern struct fdt arm64_fdt; // the device tree, parsed once at boot
bool arm64_console_irq(unsigned irq); // handles the console UART's IRQ; false if not it
void arm64_boot(paddr_t dtb) __attribute__((noreturn));

// trap.c / trap.S
void arm64_trap(struct trap_frame *f, unsigned kind);
void arm64_thread_start(void);
void arm64_dump_frame(const struct trap_frame *f);
extern char arm64_vectors[];

// usercopy.S: where a faulting access inside arch_copy_*_user resumes.
void arm64_user_copy_fault(void);

// cpu.c: timer, interrupts, PSCI, semihosting
void arm64_timer_init(int timer_irq);
void arm64_irq_init(bool have_gic);
void arm64_irq_handle(void);
void arm64_psci_init(const char *method);
// A semihosting call (op in w0, param in x1); returns x0. Harmless without
// -semihosting: the undefined-instruction trap is skipped (trap.c).
uint64_t arm64_semihost(uint64_t op, uint64_t param);
extern volatile bool arm64_in_semihost;

// mmu.c
// Builds the kernel's TTBR1 table mapping `ranges` (RAM with 1 GiB / 2 MiB
// blocks, the 2 MiB window around the image [kstart, kend) with 4 KiB pages,
// text executable), taking table pages from *next_free upward (they become
// part of the kernel image), switches to it and empties TTBR0. Panics if a
// table cannot be placed.
struct bootmem_range;
void arm64_mmu_init(const struct bootmem_range *ranges, int n, paddr_t kstart, paddr_t kend,
                    paddr_t *next_free);
// Whether the kernel can read 8 bytes at va right now (for backtraces).
bool arm64_mmu_readable(vaddr_t va);
#endif // __ASSEMBLER__
