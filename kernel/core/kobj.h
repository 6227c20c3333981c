// SPDX-License-Identifier: MIT
// The common header of every kernel object: type, reference count, and poll listeners.
#pragma once
#include "common.h"
#include "list.h"

enum kobj_type {
    KOBJ_PROCESS = 1,
    KOBJ_THREAD,
    KOBJ_CHANNEL,
    KOBJ_POLL,
    KOBJ_FOLIO,
    KOBJ_VMSPACE,
    KOBJ_INTERRUPT,
    KOBJ_TIMER,
    KOBJ_CONSOLE,
    KOBJ_TYPE_MAX,
};

// Ownership: refcount counts handles, in-flight messages and kernel pointers
// that keep the object alive. Pollers do not hold references: they are
// listeners, removed when the object dies (so poll <-> object never forms a
// reference cycle).
struct kobj {
    uint32_t type;      // enum kobj_type
    uint32_t refcount;
    struct list listeners; // struct poll_entry nodes watching this object
};

void kobj_init(struct kobj *obj, enum kobj_type type); // refcount 1
// The last reference is gone: the object is destroyed (through its type's destroy).
void kobj_release(struct kobj *obj);
// Inline: every IPC syscall takes and drops a reference.
ALWAYS_INLINE void kobj_ref(struct kobj *obj) {
    ASSERT(obj->refcount > 0);
    obj->refcount++;
}
// Drops one reference; the last one destroys the object.
ALWAYS_INLINE void kobj_unref(struct kobj *obj) {
    ASSERT(obj->refcount > 0);
    if (--obj->refcount == 0)
        kobj_release(obj);
}
// The readiness bits (POLL_*) that hold now for this object.
uint32_t kobj_readiness(struct kobj *obj);
// Tells every poll watching `obj` that its readiness may have changed.
void kobj_notify(struct kobj *obj);
