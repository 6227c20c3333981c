// SPDX-License-Identifier: MIT
// The event loop: a poll object, a table of (handle, callback), and dispatch.
#include <stellina/app.h>
#include <stellina/loop.h>
#include <stdlib.h>
#include <string.h>

// The cookie of an entry's poll events: slot index and generation, so an event
// that was already in flight when its entry was removed (or its slot reused)
// is recognized as stale and dropped.
#define COOKIE(idx, gen) (((uint64_t)(gen) << 32) | (uint32_t)(idx))
#define COOKIE_IDX(c)    ((uint32_t)(c))
#define COOKIE_GEN(c)    ((uint32_t)((c) >> 32))
#define LOOP_BATCH       16

int loop_init(struct loop *loop) {
    memset(loop, 0, sizeof(*loop));
    int64_t poll = sys_poll_create();
    if (poll < 0)
        return (int)poll;
    loop->poll = (handle_t)poll;
    loop->next_gen = 1;
    return 0;
}

void loop_destroy(struct loop *loop) {
    free(loop->entries);
    sys_handle_close(loop->poll);
    memset(loop, 0, sizeof(*loop));
}

static struct loop_entry *loop_find(struct loop *loop, handle_t h) {
    for (uint32_t i = 0; i < loop->capacity; i++) {
        if (loop->entries[i].handle == h)
            return &loop->entries[i];
    }
    return NULL;
}

// Returns a free slot index, growing the table if needed, or ERR_NO_MEMORY.
static int loop_free_slot(struct loop *loop) {
    for (uint32_t i = 0; i < loop->capacity; i++) {
        if (loop->entries[i].handle == 0)
            return (int)i;
    }
    uint32_t cap = loop->capacity ? loop->capacity * 2 : 8;
    struct loop_entry *e = realloc(loop->entries, cap * sizeof(*e));
    if (!e)
        return ERR_NO_MEMORY;
    memset(&e[loop->capacity], 0, (cap - loop->capacity) * sizeof(*e));
    int idx = (int)loop->capacity;
    loop->entries = e;
    loop->capacity = cap;
    return idx;
}

static int loop_add_entry(struct loop *loop, handle_t h, uint32_t interests, loop_fn fn,
                          void *arg, bool is_timer) {
    if (h <= 0 || !fn)
        return ERR_INVALID_ARG;
    if (loop_find(loop, h))
        return ERR_IN_USE;
    int idx = loop_free_slot(loop);
    if (idx < 0)
        return idx;
    uint32_t gen = loop->next_gen++;
    int64_t r = sys_poll_add(loop->poll, h, interests, COOKIE(idx, gen));
    if (r < 0)
        return (int)r;
    loop->entries[idx] = (struct loop_entry){
        .handle = h, .interests = interests, .gen = gen, .is_timer = is_timer, .fn = fn, .arg = arg};
    loop->count++;
    return 0;
}

int loop_add(struct loop *loop, handle_t h, uint32_t interests, loop_fn fn, void *arg) {
    return loop_add_entry(loop, h, interests, fn, arg, false);
}

int loop_update(struct loop *loop, handle_t h, uint32_t interests) {
    struct loop_entry *e = loop_find(loop, h);
    if (!e || h <= 0)
        return ERR_NOT_FOUND;
    int64_t r = sys_poll_update(loop->poll, h, interests);
    if (r < 0)
        return (int)r;
    e->interests = interests;
    return 0;
}

int loop_remove(struct loop *loop, handle_t h) {
    struct loop_entry *e = loop_find(loop, h);
    if (!e || h <= 0)
        return ERR_NOT_FOUND;
    // The poll may already have dropped it (a closed object leaves its
    // polls); the entry goes either way.
    sys_poll_remove(loop->poll, h);
    memset(e, 0, sizeof(*e));
    loop->count--;
    return 0;
}

void loop_stop(struct loop *loop, int code) {
    loop->stopped = true;
    loop->exit_code = code;
}

int loop_run(struct loop *loop) {
    struct poll_event evs[LOOP_BATCH];
    loop->stopped = false;
    while (!loop->stopped) {
        if (loop->count == 0)
            return 0;
        int64_t n = sys_poll_wait(loop->poll, evs, LOOP_BATCH, POLL_WAIT_FOREVER);
        if (n == ERR_TIMED_OUT)
            continue;
        if (n < 0)
            return (int)n;
        for (int64_t i = 0; i < n && !loop->stopped; i++) {
            uint32_t idx = COOKIE_IDX(evs[i].cookie);
            // Re-read the entry every time: an earlier callback may have
            // removed it, reused its slot or grown (moved) the table.
            if (idx >= loop->capacity)
                continue;
            struct loop_entry *e = &loop->entries[idx];
            if (e->handle != evs[i].handle || e->gen != COOKIE_GEN(evs[i].cookie))
                continue;
            if (e->is_timer && (evs[i].events & POLL_READABLE))
                sys_timer_set(e->handle, -1); // one-shot: the callback re-arms it
            loop_fn fn = e->fn;
            void *arg = e->arg;
            fn(loop, evs[i].handle, evs[i].events, arg);
        }
    }
    return loop->exit_code;
}

int timer_after(handle_t timer, int64_t delay_ns) {
    int64_t now = sys_timer_now();
    if (now < 0)
        return (int)now;
    return (int)sys_timer_set(timer, now + (delay_ns > 0 ? delay_ns : 0));
}

handle_t loop_add_timer(struct loop *loop, int64_t delay_ns, loop_fn fn, void *arg) {
    int64_t t = sys_timer_create();
    if (t < 0)
        return (handle_t)t;
    int r = timer_after((handle_t)t, delay_ns);
    if (r == 0)
        r = loop_add_entry(loop, (handle_t)t, POLL_READABLE, fn, arg, true);
    if (r < 0) {
        sys_handle_close((handle_t)t);
        return r;
    }
    return (handle_t)t;
}
