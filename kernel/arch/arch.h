// SPDX-License-Identifier: MIT
// The contract between the arch-independent kernel and each architecture: every arch_* lives here.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch_types.h" // per arch: struct arch_context, struct arch_pagetable, ARCH_NAME

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

// ---- Provided by core, called by arch --------------------------------------

#define BOOT_MEM_REGIONS_MAX 8
#define BOOT_DEVICES_MAX 32
struct boot_info {
    struct { paddr_t base; uint64_t size; } mem[BOOT_MEM_REGIONS_MAX]; // usable RAM
    int num_mem;
    paddr_t kernel_start, kernel_end; // the kernel image, not to be handed out
    paddr_t reserved_start, reserved_end; // e.g. the device tree blob (0, 0 if none)
    int num_cpus;
    const void *dtb;                  // device tree (NULL where there is none)
    // Devices for drivers (at least every virtio-mmio slot), found in the
    // device tree or on the command line. The arch maps their registers so
    // that arch_paddr_to_ptr(base) reaches them (uncached), for probing.
    struct boot_device {
        char compatible[24]; // "virtio,mmio"
        paddr_t base;
        uint64_t size;
        unsigned irq;        // as arch_irq_unmask() numbers it
    } devices[BOOT_DEVICES_MAX];
    int num_devices;
};

// The arch's boot code calls this once, on the boot CPU, with the MMU on,
// traps installed, interrupts disabled and the console usable.
void kernel_main(const struct boot_info *bi) __attribute__((noreturn));
// Timer interrupt: the deadline programmed with arch_timer_set() has passed.
void timer_interrupt(void);
// A device interrupt (a global IRQ number as in the device tree) arrived; the
// arch masks nothing, core acks it with arch_irq_complete() when handled.
void irq_interrupt(unsigned irq);
// A byte arrived on the console (called from the UART's interrupt handler).
void console_input(char ch);
// A syscall trap from user mode: dispatches and returns the result. The
// arguments in the gate's order (sys_gate_fn: at most five, the number last).
int64_t syscall_dispatch(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4,
                         int64_t number);
// The gate of in-kernel apps (trap.S: start_info.gate, a sys_gate_fn).
int64_t syscall_gate_direct(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4,
                            int64_t number);
// A fault in a user thread, or any fault in kernel mode outside copy_*_user:
// core kills the process (user) or panics (kernel). `desc` names the cause.
void fault_handle(bool from_user, vaddr_t pc, vaddr_t addr, const char *desc);

// ---- Implemented by each arch ----------------------------------------------

extern const char arch_name[]; // "riscv64"

// Console output, polled; usable from the very first instruction of kernel_main.
void arch_console_write(const char *s, size_t len);

// Interrupt enable/disable on this CPU. The kernel is uniprocessor for now and
// runs all its code with interrupts disabled; only app code and idle run with
// them enabled.
uint64_t arch_irq_save(void);          // disable, return the previous state
void arch_irq_restore(uint64_t flags);
void arch_irq_unmask(unsigned irq);    // route a device IRQ to this CPU
void arch_irq_mask(unsigned irq);
void arch_irq_complete(unsigned irq);  // end-of-interrupt
unsigned arch_irq_max(void);           // IRQ numbers are 1..arch_irq_max()
void arch_idle(void);                  // wait for an interrupt with interrupts enabled, then return with them disabled

// Monotonic clock and one-shot timer. The clock is the CPU's counter, in its
// own units (ticks): the scheduler sums a thread's CPU time in ticks at each
// switch and converts only when asked (a switch then costs one counter read).
uint64_t arch_now_ticks(void);
uint64_t arch_ticks_to_ns(uint64_t ticks);
static inline uint64_t arch_now_ns(void) {
    return arch_ticks_to_ns(arch_now_ticks());
}
void arch_timer_set(uint64_t deadline_ns); // one interrupt at or after deadline; replaces the previous one

// Threads. A context holds what arch_switch saves; a new thread starts in
// arch code that enables interrupts and jumps to pc with arg in the first
// argument register and sp as its stack, in kernel mode (in-kernel apps) or
// user mode (user-mode apps; pagetable switched by arch_switch_pagetable).
// `thread` is core's thread that ctx belongs to: what arch_current returns
// while it runs (an arch may keep it where its trap entry finds it).
void arch_context_init(struct arch_context *ctx, void *thread, bool user, vaddr_t pc,
                       uint64_t arg, vaddr_t sp, vaddr_t kernel_stack_top);
void arch_switch(struct arch_context *prev, struct arch_context *next);
// The running thread (core's struct thread *, opaque here), read on every
// syscall and written on every switch. An arch that keeps it in a register
// defines ARCH_CURRENT_IN_REGISTER and these two in arch_types.h (riscv64:
// tp); the others keep it in a variable.
#ifndef ARCH_CURRENT_IN_REGISTER
extern void *arch_current_thread;
static inline void *arch_current(void) {
    return arch_current_thread;
}
static inline void arch_set_current(void *thread) {
    arch_current_thread = thread;
}
#endif

// Page tables. Core allocates nothing for the arch: page-table pages come from
// arch_pt_alloc_page/arch_pt_free_page, which core implements on its page allocator.
#define ARCH_PROT_READ  (1u << 0)
#define ARCH_PROT_WRITE (1u << 1)
#define ARCH_PROT_EXEC  (1u << 2)
#define ARCH_PROT_USER  (1u << 3)
#define ARCH_PROT_MMIO  (1u << 4) // uncached device memory
struct arch_pagetable *arch_kernel_pagetable(void);
int arch_pt_create(struct arch_pagetable *pt);   // a user page table sharing the kernel's mappings; 0 or ERR_NO_MEMORY
void arch_pt_destroy(struct arch_pagetable *pt); // frees every page-table page (not the mapped pages)
int arch_pt_map(struct arch_pagetable *pt, vaddr_t va, paddr_t pa, unsigned prot); // one page; 0, ERR_NO_MEMORY or ERR_IN_USE
void arch_pt_unmap(struct arch_pagetable *pt, vaddr_t va); // one page, TLB entry flushed
bool arch_pt_lookup(struct arch_pagetable *pt, vaddr_t va, paddr_t *pa, unsigned *prot);
void arch_switch_pagetable(struct arch_pagetable *pt);
paddr_t arch_pt_alloc_page(void);   // core: one zeroed page, or 0
void arch_pt_free_page(paddr_t pa); // core
// Core: while the arch builds the kernel's boot page tables, before the page
// allocator exists, arch_pt_alloc_page takes zeroed pages from *next_free on
// (advancing it: the space after the kernel image); NULL ends that.
void arch_pt_boot_pages(paddr_t *next_free);

// The kernel reaches all RAM through a direct map.
void *arch_paddr_to_ptr(paddr_t pa);
paddr_t arch_ptr_to_paddr(const void *p);

// The range of virtual addresses where the kernel vmspace places app mappings
// (folios mapped by in-kernel apps, and their images).
vaddr_t arch_kernel_map_base(void);
vaddr_t arch_kernel_map_end(void);
// The range user vmspaces use (it depends on the arch's address width: Sv39
// on riscv64 leaves 256 GiB below the kernel's half).
vaddr_t arch_user_base(void);
vaddr_t arch_user_end(void);

// Copies between kernel memory and the current (user) address space, lifting
// the CPU's user-access protection (RISC-V SUM, Arm PAN, x86 SMAP) only for
// the copy. The caller has checked that the range is the process's mapped
// memory; a fault inside the copy still returns ERR_BAD_ADDR, never crashes.
int arch_copy_from_user(void *dst, const void *usrc, size_t len);
int arch_copy_to_user(void *udst, const void *src, size_t len);

// Power off QEMU with the exit status: 0 success, anything else failure.
void arch_shutdown(int code) __attribute__((noreturn));
// Print the frames of the current stack (on panic).
void arch_backtrace(void);
