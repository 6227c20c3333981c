// SPDX-License-Identifier: MIT
// Interrupt objects: a device IRQ delivered as readiness on a poll, acknowledged explicitly.
#pragma once
#include "common.h"
#include "kobj.h"

struct interrupt {
    struct kobj obj;
    unsigned irq;
    bool pending; // fired and not yet acked: READABLE
};

// Claims irq: ERR_INVALID_ARG if out of range, ERR_IN_USE if taken, ERR_NO_MEMORY.
struct interrupt *interrupt_create(unsigned irq, int *err);
// Acknowledges the pending interrupt so the device can raise the next one.
void interrupt_ack(struct interrupt *intr);
void interrupt_destroy(struct kobj *obj);
