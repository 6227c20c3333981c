// SPDX-License-Identifier: MIT
// Interrupt objects: a device IRQ delivered as readiness on a poll, acknowledged explicitly.
#include "interrupt.h"
#include "kmalloc.h"
#include "thread.h"

#define IRQ_MAX 1024
static struct interrupt *irq_owners[IRQ_MAX];

struct interrupt *interrupt_create(unsigned irq, int *err) {
    if (irq == 0 || irq > arch_irq_max() || irq >= IRQ_MAX) {
        *err = ERR_INVALID_ARG;
        return NULL;
    }
    if (irq_owners[irq]) {
        *err = ERR_IN_USE;
        return NULL;
    }
    struct interrupt *intr = kmalloc(sizeof(*intr));
    if (!intr) {
        *err = ERR_NO_MEMORY;
        return NULL;
    }
    kobj_init(&intr->obj, KOBJ_INTERRUPT);
    intr->irq = irq;
    irq_owners[irq] = intr;
    arch_irq_unmask(irq);
    return intr;
}

void interrupt_ack(struct interrupt *intr) {
    if (!intr->pending)
        return;
    intr->pending = false;
    arch_irq_complete(intr->irq);
}

void interrupt_destroy(struct kobj *obj) {
    struct interrupt *intr = (struct interrupt *)obj;
    arch_irq_mask(intr->irq);
    if (intr->pending)
        arch_irq_complete(intr->irq);
    irq_owners[intr->irq] = NULL;
    kfree(intr);
}

void irq_interrupt(unsigned irq) {
    struct interrupt *intr = irq < IRQ_MAX ? irq_owners[irq] : NULL;
    if (!intr) {
        kprintf("irq %u with no owner: ignored\n", irq);
        arch_irq_complete(irq);
    } else {
        intr->pending = true;
        kobj_notify(&intr->obj);
    }
    sched_maybe_preempt();
}
