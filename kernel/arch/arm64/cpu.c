// SPDX-License-Identifier: MIT
// arm64 CPU glue: the generic timer, the GICv3 CPU interface, PSCI, semihosting, new thread contexts.
#include <string.h>
#include "arm64.h"
#include "../../drivers/gicv3.h"

#define NS_PER_SEC 1000000000ul
#define CNTV_CTL_ENABLE 1ul
#define VTIMER_IRQ_DEFAULT 27 // PPI 11, the EL1 virtual timer on every GIC system
#define IRQ_SPURIOUS_FIRST 1020
#define ICC_CTLR_EOIMODE (1ul << 1)
#define ICC_SRE_SRE 1ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define SEMIHOST_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

// ---- semihosting and PSCI ----------------------------------------------------------

volatile bool arm64_in_semihost;

uint64_t arm64_semihost(uint64_t op, uint64_t param) {
    register uint64_t x0 __asm__("x0") = op;
    register uint64_t x1 __asm__("x1") = param;
    arm64_in_semihost = true;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    arm64_in_semihost = false;
    return x0;
}

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };
static enum psci_conduit psci_conduit;

void arm64_psci_init(const char *method) {
    if (method && strcmp(method, "hvc") == 0)
        psci_conduit = PSCI_HVC;
    else if (method && strcmp(method, "smc") == 0)
        psci_conduit = PSCI_SMC;
}

static void psci_call(uint64_t fn) {
    register uint64_t x0 __asm__("x0") = fn;
    if (psci_conduit == PSCI_HVC)
        __asm__ volatile("hvc #0" : "+r"(x0)::"memory");
    else if (psci_conduit == PSCI_SMC)
        __asm__ volatile("smc #0" : "+r"(x0)::"memory");
}

void arch_shutdown(int code) {
    arch_irq_save();
    // Semihosting's exit carries the status to QEMU's own exit code; PSCI's
    // SYSTEM_OFF, the fallback without -semihosting, always exits 0.
    static uint64_t block[2];
    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint64_t)(code == 0 ? 0 : (code & 0xff) ? code & 0xff : 1);
    arm64_semihost(SEMIHOST_SYS_EXIT, (uint64_t)block);
    psci_call(PSCI_SYSTEM_OFF);
    for (;;)
        __asm__ volatile("wfi");
}

// ---- clock and timer (the EL1 virtual timer) -------------------------------------------

static uint64_t timer_hz;
static unsigned timer_irq;

void arm64_timer_init(int irq) {
    timer_hz = sysreg_read(cntfrq_el0);
    if (!timer_hz)
        panic("arm64: CNTFRQ_EL0 is 0: the timer frequency is unknown");
    timer_irq = irq > 0 ? (unsigned)irq : VTIMER_IRQ_DEFAULT;
    sysreg_write(cntv_ctl_el0, 0);
    sysreg_write(cntkctl_el1, 0); // no counter or timer access from EL0
}

uint64_t arch_now_ticks(void) {
    isb(); // the counter read must not be hoisted above earlier instructions
    return sysreg_read(cntvct_el0);
}

uint64_t arch_ticks_to_ns(uint64_t t) {
    // Split into seconds and the rest so that nothing overflows 64 bits.
    return (t / timer_hz) * NS_PER_SEC + (t % timer_hz) * NS_PER_SEC / timer_hz;
}

void arch_timer_set(uint64_t deadline_ns) {
    uint64_t secs = deadline_ns / NS_PER_SEC, rest = deadline_ns % NS_PER_SEC;
    uint64_t ticks;
    if (secs > UINT64_MAX / timer_hz)
        ticks = UINT64_MAX; // never, in practice
    else // round up: the interrupt must not come before the deadline
        ticks = secs * timer_hz + (rest * timer_hz + NS_PER_SEC - 1) / NS_PER_SEC;
    sysreg_write(cntv_cval_el0, ticks);
    sysreg_write(cntv_ctl_el0, CNTV_CTL_ENABLE);
    isb();
}

// ---- interrupts -----------------------------------------------------------------------

static bool gic_ready;

uint64_t arch_irq_save(void) {
    uint64_t daif = sysreg_read(daif);
    __asm__ volatile("msr daifset, #2" ::: "memory");
    return !(daif & DAIF_I); // 1: they were enabled
}

void arch_irq_restore(uint64_t flags) {
    if (flags)
        __asm__ volatile("msr daifclr, #2" ::: "memory");
}

void arch_idle(void) {
    // WFI wakes on a pending interrupt even while PSTATE.I masks it, so an
    // interrupt that arrived after the caller's check is not slept through;
    // unmasking then takes it.
    __asm__ volatile("dsb sy\n wfi\n msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
}

void arm64_irq_init(bool have_gic) {
    gic_ready = have_gic;
    if (!have_gic)
        return;
    sysreg_write(ICC_SRE_EL1, sysreg_read(ICC_SRE_EL1) | ICC_SRE_SRE);
    isb();
    sysreg_write(ICC_PMR_EL1, 0xff); // every priority gets through
    sysreg_write(ICC_BPR1_EL1, 0);
    // EOImode 1: writing EOIR only drops the running priority, so other
    // interrupts keep coming while core holds one un-acked; the ID stays
    // active, not redelivered, until arch_irq_complete deactivates it.
    sysreg_write(ICC_CTLR_EL1, sysreg_read(ICC_CTLR_EL1) | ICC_CTLR_EOIMODE);
    sysreg_write(ICC_IGRPEN1_EL1, 1);
    isb();
    gicv3_enable(timer_irq);
}

void arch_irq_unmask(unsigned irq) {
    if (irq != timer_irq)
        gicv3_enable(irq);
}

void arch_irq_mask(unsigned irq) {
    if (irq != timer_irq)
        gicv3_disable(irq);
}

void arch_irq_complete(unsigned irq) {
    if (gic_ready && irq < IRQ_SPURIOUS_FIRST) {
        sysreg_write(ICC_DIR_EL1, irq);
        isb();
    }
}

unsigned arch_irq_max(void) {
    return gicv3_max_irq();
}

void arm64_irq_handle(void) {
    if (!gic_ready)
        return;
    // One interrupt per exception: another pending one is taken right after
    // the eret, and a thread switch inside a handler leaves nothing half done.
    unsigned irq = (unsigned)sysreg_read(ICC_IAR1_EL1) & 0xffffff;
    if (irq >= IRQ_SPURIOUS_FIRST)
        return;
    sysreg_write(ICC_EOIR1_EL1, irq); // priority drop only (EOImode 1)
    if (irq == timer_irq) {
        // The timer's line stays up until it is reprogrammed: turn it off,
        // and core sets the next deadline.
        sysreg_write(cntv_ctl_el0, 0);
        isb();
        arch_irq_complete(irq);
        timer_interrupt();
    } else if (arm64_console_irq(irq)) {
        arch_irq_complete(irq);
    } else {
        irq_interrupt(irq);
    }
}

// ---- threads ----------------------------------------------------------------------------

void arch_context_init(struct arch_context *ctx, void *thread, bool user, vaddr_t pc,
                       uint64_t arg, vaddr_t sp, vaddr_t kernel_stack_top) {
    (void)thread; // arch_current is a variable here
    *ctx = (struct arch_context){0};
    // The first arch_switch to ctx "returns" into arm64_thread_start (trap.S),
    // which reads its arguments from x19-x23. A kernel thread runs on `sp`
    // directly; a user thread's kernel-side code starts on its kernel stack.
    ctx->lr = (uint64_t)arm64_thread_start;
    ctx->sp = user ? kernel_stack_top : sp;
    ctx->x19_x28[0] = pc;
    ctx->x19_x28[1] = arg;
    ctx->x19_x28[2] = sp;
    ctx->x19_x28[3] = user;
    ctx->x19_x28[4] = kernel_stack_top;
}
