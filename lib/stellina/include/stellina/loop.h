// SPDX-License-Identifier: MIT
// The event loop every component runs: handles on a poll, one callback per handle.
#pragma once
#include <stdbool.h>
#include <stellina/syscall.h>

struct loop;

// Called with the handle that is ready, the POLL_* bits that hold (masked by
// its interests; POLL_CLOSED is always reported) and the `arg` given to
// loop_add. A callback may add, update and remove handles, its own included.
typedef void (*loop_fn)(struct loop *loop, handle_t h, uint32_t events, void *arg);

struct loop_entry {
    handle_t handle;    // 0: free slot
    uint32_t interests;
    uint32_t gen;       // matches the cookie of its poll events
    bool is_timer;      // disarmed before its callback runs (one-shot)
    loop_fn fn;
    void *arg;
};

// Initialize with loop_init; the fields are private to loop.c.
struct loop {
    handle_t poll;
    struct loop_entry *entries; // heap array, grown on demand
    uint32_t capacity;
    uint32_t count;             // entries in use
    uint32_t next_gen;
    bool stopped;
    int exit_code;
};

// Creates the loop's poll object. Returns 0 or an ERR_*.
int loop_init(struct loop *loop);
// Removes every entry (the handles stay open) and closes the poll.
void loop_destroy(struct loop *loop);
// Watches `h` for `interests` and calls fn(loop, h, events, arg) when ready.
// Returns 0, ERR_NO_MEMORY, or what poll_add returns (e.g. for a handle
// already in the loop). The loop does not own `h`.
int loop_add(struct loop *loop, handle_t h, uint32_t interests, loop_fn fn, void *arg);
// Changes the interests of a watched handle. Returns 0 or ERR_NOT_FOUND.
int loop_update(struct loop *loop, handle_t h, uint32_t interests);
// Stops watching `h` (it stays open; close it yourself, after this call, so
// that a new handle with the same number is not mistaken for it). Pending
// events of `h` in the current batch are dropped. Returns 0 or ERR_NOT_FOUND.
int loop_remove(struct loop *loop, handle_t h);
// Waits for events and dispatches them until loop_stop is called (returns
// its code), the loop has no handles left (returns 0), or poll_wait fails
// (returns its error).
int loop_run(struct loop *loop);
// Makes loop_run return `code` once the current callback returns.
void loop_stop(struct loop *loop, int code);

// Timer convenience: creates a timer that fires `delay_ns` from now and calls
// fn once when it does. The callback may re-arm it with timer_after (it fires
// again) or remove and close it. Returns the timer handle (owned by the
// caller) or an ERR_*.
handle_t loop_add_timer(struct loop *loop, int64_t delay_ns, loop_fn fn, void *arg);
// Arms `timer` to fire `delay_ns` from now. Returns 0 or an ERR_*.
int timer_after(handle_t timer, int64_t delay_ns);
