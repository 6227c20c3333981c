// SPDX-License-Identifier: MIT
// What every kernel object shares: reference counting, destruction by type, and readiness.
#include "channel.h"
#include "console.h"
#include "folio.h"
#include "interrupt.h"
#include "kmalloc.h"
#include "poll.h"
#include "process.h"
#include "timer.h"
#include "vmspace.h"

static void thread_obj_destroy(struct kobj *obj) {
    kfree(obj);
}

static void console_destroy(struct kobj *obj) {
    panic("the console object was destroyed");
}

void process_destroy(struct kobj *obj);

// How each type of object is destroyed when its last reference goes.
static void (*const kobj_destroy[KOBJ_TYPE_MAX])(struct kobj *obj) = {
    [KOBJ_PROCESS] = process_destroy,
    [KOBJ_THREAD] = thread_obj_destroy,
    [KOBJ_CHANNEL] = channel_destroy,
    [KOBJ_POLL] = poll_destroy,
    [KOBJ_FOLIO] = folio_destroy,
    [KOBJ_VMSPACE] = vmspace_destroy,
    [KOBJ_INTERRUPT] = interrupt_destroy,
    [KOBJ_TIMER] = timer_destroy,
    [KOBJ_CONSOLE] = console_destroy,
};

void kobj_init(struct kobj *obj, enum kobj_type type) {
    obj->type = type;
    obj->refcount = 1;
    list_init(&obj->listeners);
}

void kobj_release(struct kobj *obj) {
    poll_forget_object(obj);
    kobj_destroy[obj->type](obj);
}

uint32_t kobj_readiness(struct kobj *obj) {
    switch (obj->type) {
    case KOBJ_CHANNEL:
        return channel_readiness((struct channel *)obj);
    case KOBJ_TIMER:
        return ((struct timer *)obj)->fired ? POLL_READABLE : 0;
    case KOBJ_INTERRUPT:
        return ((struct interrupt *)obj)->pending ? POLL_READABLE : 0;
    case KOBJ_CONSOLE:
        return console_readiness();
    default:
        return 0;
    }
}
