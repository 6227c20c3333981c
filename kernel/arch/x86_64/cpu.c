// SPDX-License-Identifier: MIT
// x86_64 CPU setup and glue: GDT, TSS, IDT, syscall MSRs, SMEP/SMAP, interrupt flag, new thread contexts.
#include "x86_64.h"

#define IDT_INTERRUPT_GATE 0x8e // present, DPL 0, 64-bit interrupt gate (IF cleared on entry)
#define IST_DOUBLE_FAULT 1
#define VEC_DOUBLE_FAULT 8
#define VEC_NMI 2
#define IST_STACK_SIZE 8192
// What syscall clears in rflags: IF (the kernel runs with interrupts off),
// TF, DF (the ABI wants it clear), AC (SMAP stays armed), NT.
#define SFMASK_BITS ((1ul << 9) | (1ul << 8) | (1ul << 10) | (1ul << 18) | (1ul << 14))

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct idt_entry {
    uint16_t offset_low, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
} __attribute__((packed));

struct table_desc {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

struct percpu x86_64_percpu;
bool x86_64_has_nx;
uint8_t x86_64_has_smap;
static struct tss tss;
static uint64_t gdt[8];
static struct idt_entry idt[256];
static uint8_t ist_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

static void init_gdt(void) {
    gdt[0] = 0;
    gdt[SEL_KERNEL_CODE >> 3] = 0x00af9a000000ffff; // 64-bit code, DPL 0
    gdt[SEL_KERNEL_DATA >> 3] = 0x00cf92000000ffff; // data, DPL 0
    gdt[SEL_USER_BASE >> 3] = 0x00cffa000000ffff;   // 32-bit code, DPL 3 (unused)
    gdt[SEL_USER_DATA >> 3] = 0x00cff2000000ffff;   // data, DPL 3
    gdt[SEL_USER_CODE >> 3] = 0x00affa000000ffff;   // 64-bit code, DPL 3
    // The TSS descriptor takes two slots: base, limit, type 9 (available 64-bit TSS).
    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    gdt[SEL_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) |
                        (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[(SEL_TSS >> 3) + 1] = base >> 32;
    tss.iomap_base = sizeof(tss); // no I/O permission bitmap: user mode gets no ports
    tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)ist_stack + sizeof(ist_stack);

    struct table_desc d = {sizeof(gdt) - 1, (uint64_t)gdt};
    __asm__ volatile("lgdt %0" ::"m"(d));
    // Reload cs with a far return, then the data segments and the task register.
    __asm__ volatile("pushq %0\n"
                     "leaq 1f(%%rip), %%rax\n"
                     "pushq %%rax\n"
                     "lretq\n"
                     "1:\n"
                     "movl %1, %%eax\n"
                     "movl %%eax, %%ds\n"
                     "movl %%eax, %%es\n"
                     "movl %%eax, %%ss\n"
                     "xorl %%eax, %%eax\n"
                     "movl %%eax, %%fs\n"
                     "movl %%eax, %%gs\n"
                     "ltr %w2\n"
                     :
                     : "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA), "r"((uint16_t)SEL_TSS)
                     : "rax", "memory");
}

static void init_idt(void) {
    for (int v = 0; v < 256; v++) {
        uint64_t addr = (uint64_t)x86_64_vectors + 16 * (uint64_t)v;
        idt[v] = (struct idt_entry){
            .offset_low = addr & 0xffff,
            .selector = SEL_KERNEL_CODE,
            // A double fault (e.g. a kernel stack overflow) and an NMI get a stack of their own.
            .ist = (v == VEC_DOUBLE_FAULT || v == VEC_NMI) ? IST_DOUBLE_FAULT : 0,
            .type = IDT_INTERRUPT_GATE,
            .offset_mid = (addr >> 16) & 0xffff,
            .offset_high = addr >> 32,
        };
    }
    struct table_desc d = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" ::"m"(d));
}

void x86_64_cpu_init(void) {
    uint32_t r[4];
    init_gdt();
    init_idt();
    // Kernel GS points at the per-CPU block; the user's GS base waits in
    // KERNEL_GS_BASE until swapgs on the way out to user mode.
    wrmsr(MSR_GS_BASE, (uint64_t)&x86_64_percpu);
    wrmsr(MSR_KERNEL_GS_BASE, 0);

    uint64_t efer = rdmsr(MSR_EFER) | EFER_SCE;
    cpuid(0x80000000, 0, r);
    if (r[0] >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        x86_64_has_nx = r[3] & (1u << 20);
    }
    if (x86_64_has_nx)
        efer |= EFER_NXE;
    wrmsr(MSR_EFER, efer);
    wrmsr(MSR_STAR, ((uint64_t)SEL_USER_BASE << 48) | ((uint64_t)SEL_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)x86_64_syscall_entry);
    wrmsr(MSR_SFMASK, SFMASK_BITS);

    // SMEP: the kernel never executes user pages; SMAP: it never touches them
    // except inside stac/clac. In-kernel apps are mapped without the user bit,
    // so neither affects them.
    cpuid(0, 0, r);
    uint64_t cr4 = read_cr(4);
    if (r[0] >= 7) {
        cpuid(7, 0, r);
        if (r[1] & (1u << 7))
            cr4 |= CR4_SMEP;
        if (r[1] & (1u << 20)) {
            cr4 |= CR4_SMAP;
            x86_64_has_smap = 1;
        }
    }
    write_cr(4, cr4);
    kprintf("x86_64: NX %s, SMEP %s, SMAP %s\n", x86_64_has_nx ? "on" : "off",
            (cr4 & CR4_SMEP) ? "on" : "off", (cr4 & CR4_SMAP) ? "on" : "off");
}

// ---- interrupt flag -----------------------------------------------------------

uint64_t arch_irq_save(void) {
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
    return flags & RFLAGS_IF;
}

void arch_irq_restore(uint64_t flags) {
    if (flags & RFLAGS_IF)
        __asm__ volatile("sti" ::: "memory");
}

void arch_idle(void) {
    // sti takes effect after the next instruction, so an interrupt pending
    // before this point wakes the hlt instead of being taken in between.
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

// ---- threads ------------------------------------------------------------------

void arch_context_init(struct arch_context *ctx, void *thread, bool user, vaddr_t pc,
                       uint64_t arg, vaddr_t sp, vaddr_t kernel_stack_top) {
    (void)thread; // arch_current is a variable here
    *ctx = (struct arch_context){0};
    // The first switch to ctx jumps to x86_64_thread_start (trap.S), which
    // reads its arguments from rbx, r12-r15. A kernel thread runs on `sp`
    // directly; a user thread's kernel side starts on its kernel stack.
    ctx->rip = (uint64_t)x86_64_thread_start;
    ctx->rsp = user ? kernel_stack_top : sp;
    ctx->rbx = pc;
    ctx->r12 = arg;
    ctx->r13 = sp;
    ctx->r14 = user;
    ctx->r15 = kernel_stack_top;
    ctx->kstack_top = kernel_stack_top;
}

void arch_switch(struct arch_context *prev, struct arch_context *next) {
    // Traps from user mode (interrupts through the TSS, syscalls through the
    // per-CPU block) land on the next thread's kernel stack.
    if (next->kstack_top) {
        tss.rsp[0] = next->kstack_top;
        x86_64_percpu.kstack_top = next->kstack_top;
    }
    x86_64_switch(prev, next);
}
