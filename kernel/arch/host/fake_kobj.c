// SPDX-License-Identifier: MIT
// A counting stand-in for kernel/core/object.c's reference counting, for host tests of handle
// tables.
#include "../../core/kobj.h"
#include "host.h"

size_t host_kobj_unref_calls;
size_t host_kobj_destroyed;

void kobj_init(struct kobj *obj, enum kobj_type type) {
    obj->type = type;
    obj->refcount = 1;
    list_init(&obj->listeners);
}

void kobj_ref(struct kobj *obj) {
    obj->refcount++;
}

void kobj_unref(struct kobj *obj) {
    ASSERT(obj->refcount > 0);
    host_kobj_unref_calls++;
    if (--obj->refcount == 0)
        host_kobj_destroyed++;
}
