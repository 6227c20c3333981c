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

static const struct {
    const char *name;
    void (*destroy)(struct kobj *obj);
} kobj_types[KOBJ_TYPE_MAX] = {
    [KOBJ_PROCESS] = {"process", process_destroy},
    [KOBJ_THREAD] = {"thread", thread_obj_destroy},
    [KOBJ_CHANNEL] = {"channel", channel_destroy},
    [KOBJ_POLL] = {"poll", poll_destroy},
    [KOBJ_FOLIO] = {"folio", folio_destroy},
    [KOBJ_VMSPACE] = {"vmspace", vmspace_destroy},
    [KOBJ_INTERRUPT] = {"interrupt", interrupt_destroy},
    [KOBJ_TIMER] = {"timer", timer_destroy},
    [KOBJ_CONSOLE] = {"console", console_destroy},
};

void kobj_init(struct kobj *obj, enum kobj_type type) {
    obj->type = type;
    obj->refcount = 1;
    list_init(&obj->listeners);
}

void kobj_ref(struct kobj *obj) {
    ASSERT(obj->refcount > 0);
    obj->refcount++;
}

void kobj_unref(struct kobj *obj) {
    ASSERT(obj->refcount > 0);
    if (--obj->refcount > 0)
        return;
    poll_forget_object(obj);
    kobj_types[obj->type].destroy(obj);
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

const char *kobj_type_name(enum kobj_type type) {
    return type > 0 && type < KOBJ_TYPE_MAX ? kobj_types[type].name : "?";
}
