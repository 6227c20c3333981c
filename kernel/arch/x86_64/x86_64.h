// SPDX-License-Identifier: MIT
// Private definitions of the x86_64 port: port I/O, MSRs, segments, vectors, the trap frame and shared functions.
#pragma once

// Address space layout, all in the lower canonical half. PML4 entry 0 is the
// identity map of RAM and MMIO (the direct map), entry 1 the kernel map
// region, entries 2..255 the user range; the upper half is unused. The last
// user page stays unmapped, so no syscall instruction sits at the end of the
// canonical range (its return address would be non-canonical). Plain numbers:
// the assembly files use them too.
#define KERNEL_MAP_BASE 0x0000008000000000
#define KERNEL_MAP_END 0x0000010000000000
#define USER_BASE 0x0000010000000000
#define USER_END 0x00007ffffffff000

#ifndef __ASSEMBLER__
#include "../../core/common.h"

// Segment selectors (the GDT of cpu.c). The user ones are in the order
// sysret needs: STAR[63:48] + 8 is user data, + 16 is user code (64-bit).
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_BASE   0x18 // a 32-bit user code slot sysret wants but we never use
#define SEL_USER_DATA   (0x20 | 3)
#define SEL_USER_CODE   (0x28 | 3)
#define SEL_TSS         0x30

// Interrupt vectors.
#define VEC_PAGE_FAULT  14
#define VEC_PIC_BASE    0x20 // the legacy PICs, remapped here and masked
#define VEC_GSI_BASE    0x30 // I/O APIC input (GSI) n arrives at VEC_GSI_BASE + n
#define GSI_MAX         48   // two I/O APICs of 24 inputs (microvm)
#define VEC_TIMER       0xf0 // local APIC timer
#define VEC_SPURIOUS    0xff
#define VEC_SYSCALL     0x100 // not a vector: marks a frame built by the syscall entry

#define MSR_APIC_BASE   0x1b
#define MSR_EFER        0xc0000080
#define MSR_STAR        0xc0000081
#define MSR_LSTAR       0xc0000082
#define MSR_SFMASK      0xc0000084
#define MSR_GS_BASE     0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE        (1ul << 0)
#define EFER_NXE        (1ul << 11)
#define RFLAGS_IF       (1ul << 9)
#define CR4_SMEP        (1ul << 20)
#define CR4_SMAP        (1ul << 21)

static inline void outb(uint16_t port, uint8_t v) {
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port) {
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outw(uint16_t port, uint16_t v) {
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v) {
    __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
#define read_cr(n)                                                                        \
    ({                                                                                    \
        uint64_t v_;                                                                      \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_));                                \
        v_;                                                                               \
    })
#define write_cr(n, v) __asm__ volatile("mov %0, %%cr" #n ::"r"((uint64_t)(v)) : "memory")

// What trap.S saves on every trap and the syscall entry builds, lowest
// address first: the GPRs it pushes, the vector and error code (0 if the
// CPU pushes none), then the frame the CPU pushes. Keep in sync with trap.S.
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};
#define TRAP_FRAME_SIZE (22 * 8)

// The per-CPU block GS points at in the kernel (offsets used by trap.S).
struct percpu {
    uint64_t kstack_top; // 0: where the syscall entry switches to
    uint64_t user_rsp;   // 8: the user rsp while the syscall entry builds its frame
};

// boot.c
void x86_64_boot(uint32_t start_info) __attribute__((noreturn));
bool x86_64_console_irq(unsigned gsi); // handles COM1's IRQ; false if not it

// serial.c: COM1 by port I/O
void serial_init(void);
void serial_putc(char ch);
int serial_getc(void); // a byte, or ERR_EMPTY
void serial_set_rx_irq(bool on);
#define SERIAL_GSI 4

// cpu.c
extern struct percpu x86_64_percpu;
void x86_64_cpu_init(void); // GDT, TSS, IDT, syscall MSRs, SMEP/SMAP
extern bool x86_64_has_nx;
extern uint8_t x86_64_has_smap; // 1 if SMAP is on (stac/clac exist and matter)

// usercopy.S: the instructions of arch_copy_*_user that may fault on a user
// address, and where such a fault resumes.
extern char x86_64_user_copy_start[], x86_64_user_copy_end[];
void x86_64_user_copy_fault(void);

// apic.c: local APIC, I/O APICs, legacy PIC, clock and timer
void apic_init(void);
void apic_timer_calibrate(void);
void apic_eoi(void);
void apic_timer_interrupt(void);
void apic_device_interrupt(unsigned gsi);
void ioapic_route_isa(unsigned gsi); // edge, unmasked, for the kernel's own devices
void ioapic_set_level(unsigned gsi);  // a device holds its line until acked (virtio-mmio)

// trap.c / trap.S
void x86_64_trap(struct trap_frame *f);
void x86_64_syscall(struct trap_frame *f);
void x86_64_dump_frame(const struct trap_frame *f);
extern char x86_64_vectors[]; // 256 entry stubs, 16 bytes apart
void x86_64_syscall_entry(void);
void x86_64_thread_start(void);
void x86_64_switch(struct arch_context *prev, struct arch_context *next);

// mmu.c
// Builds the kernel's identity map of `ranges` (large pages where aligned;
// the kernel image [kstart, kend) with 4 KiB pages, only text executable),
// taking table pages from *next_free upward, and switches to it.
struct bootmem_range;
void x86_64_mmu_init(const struct bootmem_range *ranges, int n, paddr_t kstart,
                     paddr_t kend, paddr_t *next_free);
bool x86_64_mmu_readable(vaddr_t va);
#endif // __ASSEMBLER__
