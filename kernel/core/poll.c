// SPDX-License-Identifier: MIT
// Poll objects: a set of watched handles with level-triggered readiness and cookies.
#include "poll.h"
#include "kmalloc.h"

struct poll *poll_create(struct process *owner) {
    struct poll *p = kmalloc(sizeof(*p));
    if (!p)
        return NULL;
    kobj_init(&p->obj, KOBJ_POLL);
    p->owner = owner;
    list_init(&p->entries);
    wait_queue_init(&p->waiters);
    return p;
}

static void entry_free(struct poll_entry *e) {
    list_remove(&e->poll_node);
    list_remove(&e->obj_node);
    kfree(e);
}

void poll_destroy(struct kobj *obj) {
    struct poll *p = (struct poll *)obj;
    // Threads blocked in poll_wait hold a reference, so none can be waiting here.
    ASSERT(list_is_empty(&p->waiters.threads));
    LIST_FOR_EACH (e, &p->entries, struct poll_entry, poll_node)
        entry_free(e);
    kfree(p);
}

static struct poll_entry *poll_find(struct poll *p, handle_t h) {
    LIST_FOR_EACH (e, &p->entries, struct poll_entry, poll_node) {
        if (e->handle == h)
            return e;
    }
    return NULL;
}

int poll_add(struct poll *p, handle_t h, struct kobj *obj, uint32_t interests, uint64_t cookie) {
    if (interests & ~(POLL_READABLE | POLL_WRITABLE | POLL_CLOSED))
        return ERR_INVALID_ARG;
    // A poll inside a poll would let readiness and references chase each other.
    if (obj->type == KOBJ_POLL)
        return ERR_NOT_SUPPORTED;
    if (poll_find(p, h))
        return ERR_IN_USE;
    struct poll_entry *e = kmalloc(sizeof(*e));
    if (!e)
        return ERR_NO_MEMORY;
    e->poll = p;
    e->obj = obj;
    e->handle = h;
    e->interests = interests;
    e->cookie = cookie;
    list_push_back(&p->entries, &e->poll_node);
    list_push_back(&obj->listeners, &e->obj_node);
    wait_queue_wake_all(&p->waiters); // it may be ready already
    return 0;
}

int poll_update(struct poll *p, handle_t h, uint32_t interests) {
    if (interests & ~(POLL_READABLE | POLL_WRITABLE | POLL_CLOSED))
        return ERR_INVALID_ARG;
    struct poll_entry *e = poll_find(p, h);
    if (!e)
        return ERR_NOT_FOUND;
    e->interests = interests;
    wait_queue_wake_all(&p->waiters);
    return 0;
}

int poll_remove(struct poll *p, handle_t h) {
    struct poll_entry *e = poll_find(p, h);
    if (!e)
        return ERR_NOT_FOUND;
    entry_free(e);
    return 0;
}

// Collects ready entries, starting at a rotating position so that a busy
// handle early in the list cannot starve the others.
static size_t poll_collect(struct poll *p, struct poll_event *evs, size_t max) {
    size_t n = 0, total = 0, index = 0;
    size_t start = p->next_scan;
    LIST_FOR_EACH (e, &p->entries, struct poll_entry, poll_node)
        total++;
    if (total == 0)
        return 0;
    start %= total;
    for (size_t pass = 0; pass < 2 && n < max; pass++) {
        index = 0;
        LIST_FOR_EACH (e, &p->entries, struct poll_entry, poll_node) {
            bool in_range = pass == 0 ? index >= start : index < start;
            index++;
            if (!in_range || n >= max)
                continue;
            uint32_t ready = kobj_readiness(e->obj) & (e->interests | POLL_CLOSED);
            if (ready) {
                evs[n].handle = e->handle;
                evs[n].events = ready;
                evs[n].cookie = e->cookie;
                n++;
            }
        }
    }
    p->next_scan = start + 1;
    return n;
}

int poll_wait(struct poll *p, struct poll_event *evs, size_t max, bool block, uint64_t deadline_ns) {
    for (;;) {
        size_t n = poll_collect(p, evs, max);
        if (n > 0)
            return (int)n;
        if (!block)
            return ERR_TIMED_OUT;
        int err = thread_block(&p->waiters, deadline_ns);
        if (err < 0)
            return err;
    }
}

void poll_forget_handle(struct kobj *obj, struct process *owner, handle_t h) {
    LIST_FOR_EACH (e, &obj->listeners, struct poll_entry, obj_node) {
        if (e->handle == h && e->poll->owner == owner)
            entry_free(e);
    }
}

void poll_forget_object(struct kobj *obj) {
    LIST_FOR_EACH (e, &obj->listeners, struct poll_entry, obj_node)
        entry_free(e);
}

void kobj_notify(struct kobj *obj) {
    // Readiness is computed only if some poll has a thread to wake: a poll
    // nobody waits on collects it itself at its next poll_wait.
    uint32_t ready = 0;
    bool ready_known = false;
    LIST_FOR_EACH (e, &obj->listeners, struct poll_entry, obj_node) {
        if (list_is_empty(&e->poll->waiters.threads))
            continue;
        if (!ready_known) {
            ready = kobj_readiness(obj);
            ready_known = true;
        }
        if (ready & (e->interests | POLL_CLOSED))
            wait_queue_wake_all(&e->poll->waiters);
    }
}
