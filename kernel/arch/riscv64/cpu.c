// SPDX-License-Identifier: MIT
// riscv64 CPU glue: SBI calls, the clock and timer, interrupt enable and routing, new thread contexts.
#include "riscv64.h"
#include "../../drivers/plic.h"

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_SRST 0x53525354
#define SBI_LEGACY_SET_TIMER 0
#define SBI_LEGACY_PUTCHAR 1
#define SBI_LEGACY_SHUTDOWN 8
#define SBI_BASE_PROBE_EXT 3
#define NS_PER_SEC 1000000000ul

struct sbi_ret {
    long error;
    long value;
};

static struct sbi_ret sbi_call(long ext, long fid, long arg0, long arg1) {
    register long a0 __asm__("a0") = arg0;
    register long a1 __asm__("a1") = arg1;
    register long a6 __asm__("a6") = fid;
    register long a7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    return (struct sbi_ret){a0, a1};
}

static bool sbi_probe(long ext) {
    struct sbi_ret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext, 0);
    return r.error == 0 && r.value != 0;
}

void riscv64_sbi_putchar(char ch) {
    sbi_call(SBI_LEGACY_PUTCHAR, 0, ch, 0);
}

void riscv64_sbi_shutdown(bool failure) {
    if (sbi_probe(SBI_EXT_SRST))
        sbi_call(SBI_EXT_SRST, 0, 0 /* shutdown */, failure ? 1 /* system failure */ : 0);
    sbi_call(SBI_LEGACY_SHUTDOWN, 0, 0, 0);
}

// ---- clock and timer ---------------------------------------------------------

static uint64_t timebase_hz = 10000000; // QEMU virt's, until the DTB says otherwise
// NS_PER_SEC / timebase_hz when that divides evenly (QEMU's 10 MHz: 100), else
// 0. Every switch reads the clock, and a multiply is cheaper than two divides.
static uint64_t ns_per_tick = 100;
static bool have_sbi_time;
// Sstc: S-mode programs its timer itself. The scheduler sets a deadline on
// every switch, and an SBI call costs hundreds of instructions in M-mode.
static bool have_sstc;

void riscv64_timer_init(uint64_t hz, bool isa_has_sstc) {
    if (hz)
        timebase_hz = hz;
    ns_per_tick = NS_PER_SEC % timebase_hz == 0 ? NS_PER_SEC / timebase_hz : 0;
    have_sbi_time = sbi_probe(SBI_EXT_TIME);
    // The firmware must also have enabled it (menvcfg.STCE); the probe
    // writes stimecmp and reports an illegal-instruction trap as false.
    have_sstc = isa_has_sstc && riscv64_probe_stimecmp();
}

static void set_timer(uint64_t ticks) {
    if (have_sstc)
        __asm__ volatile("csrw 0x14d, %0" ::"r"(ticks)); // stimecmp, by number for clang 14
    else if (have_sbi_time)
        sbi_call(SBI_EXT_TIME, 0, (long)ticks, 0);
    else
        sbi_call(SBI_LEGACY_SET_TIMER, 0, (long)ticks, 0);
}

uint64_t arch_now_ticks(void) {
    return csr_read(time);
}

uint64_t arch_ticks_to_ns(uint64_t t) {
    if (ns_per_tick) // overflows only after 2^64 ns, 584 years
        return t * ns_per_tick;
    // Split into seconds and the rest so that nothing overflows 64 bits
    // (remainder * 1e9 < hz * 1e9 < 2^63 for any timebase under 9 GHz).
    return (t / timebase_hz) * NS_PER_SEC + (t % timebase_hz) * NS_PER_SEC / timebase_hz;
}

void arch_timer_set(uint64_t deadline_ns) {
    uint64_t secs = deadline_ns / NS_PER_SEC, rest = deadline_ns % NS_PER_SEC;
    uint64_t ticks;
    if (secs > UINT64_MAX / timebase_hz)
        ticks = UINT64_MAX; // never, in practice
    else // round up: the interrupt must not come before the deadline
        ticks = secs * timebase_hz + (rest * timebase_hz + NS_PER_SEC - 1) / NS_PER_SEC;
    set_timer(ticks);
}

void riscv64_timer_interrupt(void) {
    // The timer stays pending until reprogrammed: push it out of the way,
    // and core sets the next deadline.
    set_timer(UINT64_MAX);
    timer_interrupt();
}

// ---- interrupts ----------------------------------------------------------------

uint64_t arch_irq_save(void) {
    uint64_t old;
    __asm__ volatile("csrrci %0, sstatus, %1" : "=r"(old) : "i"(SSTATUS_SIE) : "memory");
    return old & SSTATUS_SIE;
}

void arch_irq_restore(uint64_t flags) {
    if (flags & SSTATUS_SIE)
        csr_set(sstatus, SSTATUS_SIE);
}

void arch_idle(void) {
    // An interrupt that became pending before this point is taken as soon as
    // SIE is set, so none is lost between the caller's check and the wfi.
    csr_set(sstatus, SSTATUS_SIE);
    __asm__ volatile("wfi" ::: "memory");
    csr_clear(sstatus, SSTATUS_SIE);
}

void arch_irq_unmask(unsigned irq) {
    plic_enable(irq);
}

void arch_irq_mask(unsigned irq) {
    plic_disable(irq);
}

void arch_irq_complete(unsigned irq) {
    plic_complete(irq);
}

unsigned arch_irq_max(void) {
    return plic_max_irq();
}

void riscv64_external_interrupt(void) {
    unsigned irq;
    // Claim until the PLIC has nothing more for us; an IRQ core has not
    // completed yet is not offered again, so this ends.
    while ((irq = plic_claim()) != 0) {
        if (riscv64_console_irq(irq))
            plic_complete(irq);
        else
            irq_interrupt(irq);
    }
}

// ---- threads -------------------------------------------------------------------

void arch_context_init(struct arch_context *ctx, void *thread, bool user, vaddr_t pc,
                       uint64_t arg, vaddr_t sp, vaddr_t kernel_stack_top) {
    *ctx = (struct arch_context){0};
    if (user) {
        // The top 16 bytes of its kernel stack hold the thread, for the trap
        // entry from user mode (it loads tp from there); frames go below.
        kernel_stack_top -= 16;
        *(void **)kernel_stack_top = thread;
    }
    // The first arch_switch to ctx "returns" into riscv64_thread_start (trap.S),
    // which reads its arguments from s0-s4. A kernel thread runs on `sp`
    // directly; a user thread's kernel-side code starts on its kernel stack.
    ctx->ra = (uint64_t)riscv64_thread_start;
    ctx->sp = user ? kernel_stack_top : sp;
    ctx->s[0] = pc;
    ctx->s[1] = arg;
    ctx->s[2] = sp;
    ctx->s[3] = user;
    ctx->s[4] = kernel_stack_top;
}
