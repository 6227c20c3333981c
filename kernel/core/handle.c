// SPDX-License-Identifier: MIT
// Handle tables: a growable array of (object, rights); a handle is its slot index plus one.
//
// A table belongs to one process and only that process's syscalls (and its
// destruction) touch it; the kernel is uniprocessor with interrupts disabled
// in kernel code, so no lock is needed. The array only grows, which is what
// lets handle_reserve promise that later installs succeed.
#include "handle.h"
#include "channel.h"
#include "kmalloc.h"
#include <string.h>

#define HANDLE_TABLE_MIN 16

// Defined here, with the tables that point at it (declared in channel.h).
struct channel channel_unconnected;

static void forget_call_hit(struct handle_table *t) {
    t->call_hit = 0;
    t->call_hit_obj = &channel_unconnected.obj;
}

void handle_table_init(struct handle_table *t) {
    t->entries = NULL;
    t->capacity = 0;
    t->used = 0;
    t->first_free = 0;
    forget_call_hit(t);
}

void handle_table_destroy(struct handle_table *t) {
    forget_call_hit(t); // before any slot is freed below
    for (uint32_t i = 0; i < t->capacity; i++) {
        struct kobj *obj = t->entries[i].obj;
        if (obj != NULL) {
            // Clear the slot first: destroying the object may look at tables.
            t->entries[i].obj = NULL;
            t->used--;
            t->first_free = MIN(t->first_free, i);
            kobj_unref(obj);
        }
    }
    kfree(t->entries);
    handle_table_init(t);
}

// Makes room for at least `needed` entries. 0, ERR_NO_MEMORY or ERR_TOO_LARGE;
// on failure the table is unchanged.
static int grow(struct handle_table *t, uint64_t needed) {
    if (needed <= t->capacity)
        return 0;
    if (needed > HANDLE_TABLE_MAX)
        return ERR_TOO_LARGE;
    // Doubling keeps installs amortized O(1) however many handles there are.
    uint64_t cap = MAX(needed, MAX((uint64_t)t->capacity * 2, HANDLE_TABLE_MIN));
    cap = MIN(cap, HANDLE_TABLE_MAX);
    struct handle_entry *entries = kmalloc(cap * sizeof(*entries)); // zeroed: all slots free
    if (entries == NULL)
        return ERR_NO_MEMORY;
    if (t->entries != NULL)
        memcpy(entries, t->entries, t->capacity * sizeof(*entries));
    kfree(t->entries);
    t->entries = entries;
    t->capacity = (uint32_t)cap;
    return 0;
}

int handle_reserve(struct handle_table *t, uint32_t n) {
    return grow(t, (uint64_t)t->used + n);
}

handle_t handle_install(struct handle_table *t, struct kobj *obj, uint32_t rights) {
    ASSERT(obj != NULL);
    int err = grow(t, (uint64_t)t->used + 1);
    if (err < 0)
        return err;
    // Lowest free slot: small handle numbers stay small and are reused.
    // (Searched from first_free, so that filling a table is not quadratic.)
    for (uint32_t i = t->first_free; i < t->capacity; i++) {
        if (t->entries[i].obj == NULL) {
            t->entries[i].obj = obj;
            t->entries[i].rights = rights;
            t->used++;
            t->first_free = i + 1;
            return (handle_t)(i + 1);
        }
    }
    panic("handle_install: table with %u of %u used has no free slot", t->used, t->capacity);
}

// The open entry of handle h, or NULL.
static struct handle_entry *entry_of(struct handle_table *t, handle_t h) {
    if (h <= 0 || (uint32_t)h > t->capacity)
        return NULL;
    struct handle_entry *e = &t->entries[h - 1];
    return e->obj != NULL ? e : NULL;
}

int handle_get(struct handle_table *t, handle_t h, enum kobj_type type, uint32_t rights,
               struct handle_entry **out) {
    struct handle_entry *e = entry_of(t, h);
    if (e == NULL)
        return ERR_BAD_HANDLE;
    if (type != 0 && e->obj->type != (uint32_t)type)
        return ERR_WRONG_TYPE;
    if ((e->rights & rights) != rights)
        return ERR_NOT_ALLOWED;
    *out = e;
    return 0;
}

struct kobj *handle_remove(struct handle_table *t, handle_t h) {
    struct handle_entry *e = entry_of(t, h);
    if (e == NULL)
        return NULL;
    struct kobj *obj = e->obj;
    if (h == t->call_hit)
        forget_call_hit(t);
    e->obj = NULL;
    e->rights = 0;
    t->used--;
    t->first_free = MIN(t->first_free, (uint32_t)(h - 1));
    return obj;
}
