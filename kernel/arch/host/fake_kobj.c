// SPDX-License-Identifier: MIT
// A counting stand-in for kernel/core/object.c's object destruction, for host tests of handle
// tables (kobj_ref and kobj_unref are inline in kobj.h).
#include "../../core/kobj.h"
#include "host.h"

size_t host_kobj_destroyed;

void kobj_init(struct kobj *obj, enum kobj_type type) {
    obj->type = type;
    obj->refcount = 1;
    list_init(&obj->listeners);
}

void kobj_release(struct kobj *obj) {
    ASSERT(obj->refcount == 0);
    host_kobj_destroyed++;
}
