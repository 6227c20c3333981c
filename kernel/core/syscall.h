// SPDX-License-Identifier: MIT
// What the syscall handlers share (syscall.c, syscall_channel.c): handle lookups and the IPC entries.
#pragma once
#include "common.h"
#include "handle.h"
#include "poll.h"
#include "process.h"
#include "thread.h"

#define RIGHTS_CHANNEL (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER)
#define RIGHTS_POLL    (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP) // polls name the owner's handles: not transferable
#define RIGHTS_TIMER   (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER)
#define RIGHTS_FOLIO   RIGHT_ALL
#define RIGHTS_INTR    (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER)
#define RIGHTS_THREAD  (RIGHT_READ | RIGHT_DUP)

// Syscalls made so far (SYSINFO_IPC; syscall.c).
extern uint64_t syscall_count;

static inline struct handle_table *my_handles(void) {
    return &current->proc->handles;
}

// Whether a syscall argument is a handle number at all: one with bits above
// handle_t's must not name the handle its low bits do.
static inline bool handle_arg_ok(int64_t h) {
    return h == (handle_t)h;
}

// handle_get for a syscall argument: ERR_BAD_HANDLE if it is no handle number.
static inline int lookup(int64_t h, enum kobj_type type, uint32_t rights, struct handle_entry **out) {
    if (!handle_arg_ok(h))
        return ERR_BAD_HANDLE;
    return handle_get(my_handles(), (handle_t)h, type, rights, out);
}

// Looks up handle h of the caller as an object of `type` with `rights`.
#define GET_OBJ(var, h, type, ctype, rights)                                             \
    struct ctype *var;                                                                    \
    do {                                                                                  \
        struct handle_entry *e_;                                                          \
        int err_ = lookup(h, type, rights, &e_);                                         \
        if (err_ < 0)                                                                     \
            return err_;                                                                  \
        var = (struct ctype *)e_->obj;                                                    \
    } while (0)

// Installs a new object's only reference as a handle; drops it on failure.
static inline int64_t install_new(struct kobj *obj, uint32_t rights) {
    handle_t h = handle_install(my_handles(), obj, rights);
    if (h < 0)
        kobj_unref(obj);
    return h;
}

// Takes handle h away from the caller (closed or moved): its polls forget it.
static inline struct kobj *handle_take(handle_t h) {
    struct kobj *obj = handle_remove(my_handles(), h);
    if (obj)
        poll_forget_handle(obj, current->proc, h);
    return obj;
}

// The channel syscalls (syscall_channel.c).
int64_t sys_channel_create(int64_t out);
int64_t sys_channel_send(int64_t h, int64_t info, int64_t data, int64_t handles);
int64_t sys_channel_recv(int64_t h, int64_t buf, int64_t buf_len, int64_t handles);
int64_t sys_channel_call(int64_t h, int64_t info, int64_t buf, int64_t buf_len, int64_t handles);
// SYS_CHANNEL_CALL's entry: the handoff fast path, or syscall_run.
int64_t channel_call_fast(int64_t h, int64_t info, int64_t buf, int64_t buf_len, int64_t handles);
// Runs syscall `number` through the general path (syscall.c); the gate's
// order (sys_gate_fn: the number last).
int64_t syscall_run(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t number);
