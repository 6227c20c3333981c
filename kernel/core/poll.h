// SPDX-License-Identifier: MIT
// Poll objects: a set of watched handles with level-triggered readiness and cookies.
#pragma once
#include "common.h"
#include "kobj.h"
#include "thread.h"

struct process;

// One watched handle. Holds no reference on obj: the entry is removed when
// the handle is closed or moved, or when the object dies.
struct poll_entry {
    struct list_node poll_node; // in poll->entries
    struct list_node obj_node;  // in obj->listeners
    struct poll *poll;
    struct kobj *obj;
    handle_t handle;
    uint32_t interests;
    uint64_t cookie;
};

struct poll {
    struct kobj obj;
    struct process *owner;     // whose handles the entries name (polls are not transferable)
    struct list entries;
    struct wait_queue waiters;
    size_t next_scan;          // rotates where scanning starts, for fairness
};

#define POLL_WAIT_MAX_EVENTS 64

struct poll *poll_create(struct process *owner);
void poll_destroy(struct kobj *obj);
MUST_CHECK int poll_add(struct poll *p, handle_t h, struct kobj *obj, uint32_t interests,
                        uint64_t cookie);
MUST_CHECK int poll_update(struct poll *p, handle_t h, uint32_t interests);
MUST_CHECK int poll_remove(struct poll *p, handle_t h);
// Fills up to max events; blocks until one is ready or deadline_ns (0: never;
// UINT64_MAX... see sys_poll_wait). Returns the count or ERR_TIMED_OUT / ERR_CLOSED.
int poll_wait(struct poll *p, struct poll_event *evs, size_t max, bool block, uint64_t deadline_ns);
// Handle h of `owner` no longer names obj (closed or moved): forget it in owner's polls.
void poll_forget_handle(struct kobj *obj, struct process *owner, handle_t h);
// obj is dying: drop every entry watching it.
void poll_forget_object(struct kobj *obj);
