// SPDX-License-Identifier: MIT
// Per-process handle tables: small integers naming kernel objects, each with rights.
#pragma once
#include "common.h"
#include "kobj.h"

struct handle_entry {
    struct kobj *obj; // NULL: free slot
    uint32_t rights;  // RIGHT_*
};

// Grows on demand (no small fixed limit; at most HANDLE_TABLE_MAX entries).
// Handle h lives in entries[h - 1]. Owned by its process; only that process's
// syscalls (and its destruction) touch it.
#define HANDLE_TABLE_MAX 65536
struct handle_table {
    struct handle_entry *entries;
    uint32_t capacity; // allocated entries
    uint32_t used;     // entries with an object
    uint32_t first_free; // every entry below it has an object
    // The handle channel_call_fast last looked up, and its object: an open
    // channel with RIGHT_READ | RIGHT_WRITE. Removing that handle forgets it,
    // so a hit needs no lookup and no checks. None: 0 and channel_unconnected,
    // which the fast path turns away like any channel without a peer (so a
    // call on handle 0 needs no test of its own).
    int64_t call_hit;
    struct kobj *call_hit_obj;
};

void handle_table_init(struct handle_table *t);
// Closes every handle (dropping each object's reference) and frees the table.
void handle_table_destroy(struct handle_table *t);
// Makes sure `n` more handles can be installed without allocating, so a
// later install cannot fail. Returns 0, ERR_NO_MEMORY or ERR_TOO_LARGE.
MUST_CHECK int handle_reserve(struct handle_table *t, uint32_t n);
// Installs `obj` (taking over one reference the caller holds) with `rights`.
// Returns the handle, or ERR_NO_MEMORY / ERR_TOO_LARGE (the reference stays
// the caller's on failure).
MUST_CHECK handle_t handle_install(struct handle_table *t, struct kobj *obj, uint32_t rights);
// Looks a handle up and checks it: ERR_BAD_HANDLE if it is not open,
// ERR_WRONG_TYPE if type != 0 and the object is of another type,
// ERR_NOT_ALLOWED if it lacks any of `rights`. On success *out is the entry
// (no reference taken: valid until the handle is closed).
MUST_CHECK int handle_get(struct handle_table *t, handle_t h, enum kobj_type type,
                          uint32_t rights, struct handle_entry **out);
// Removes a handle and returns its object; the caller now owns that
// reference. NULL if h is not open.
struct kobj *handle_remove(struct handle_table *t, handle_t h);
