// SPDX-License-Identifier: MIT
// sysfuzz's model of its own kernel objects: handles, channel queues, poll entries and mappings, kept in step with every successful call.
#include "sysfuzz.h"
#include <stdio.h>

struct mobj objs[OBJ_MAX];
struct mmsg msgs[MSG_POOL];
struct mhandle handles[HMAX];
struct mmap maps[MAP_MAX];
handle_t vmspace_h;
static int msg_free_head;

bool handle_open(handle_t h) {
    // A dup with no rights is always a subset; one without RIGHT_DUP still
    // proves the handle open by failing with ERR_NOT_ALLOWED.
    int64_t d = sys_handle_dup(h, 0);
    if (d > 0)
        sys_handle_close((handle_t)d);
    return d > 0 || d == ERR_NOT_ALLOWED;
}

void model_init(void) {
    memset(objs, 0, sizeof(objs));
    for (int i = 0; i < HMAX; i++) {
        handles[i].obj = -1;
        handles[i].prot = false;
        if (i > 0 && handle_open((handle_t)i)) {
            handles[i].prot = true;
            handles[i].obj = model_new_obj(OT_FOREIGN);
            objs[handles[i].obj].refs = 1;
        }
    }
    for (int i = 0; i < MSG_POOL; i++)
        msgs[i].next = i + 1 < MSG_POOL ? i + 1 : -1;
    msg_free_head = 0;
    memset(maps, 0, sizeof(maps));
}

int model_live(void) {
    int n = 0;
    for (int i = 1; i < HMAX; i++)
        n += handles[i].obj >= 0 && !handles[i].prot;
    return n;
}

int model_free_msgs(void) {
    int n = 0;
    for (int m = msg_free_head; m >= 0; m = msgs[m].next)
        n++;
    return n;
}

bool model_is_open(handle_t h) {
    return h > 0 && h < HMAX && handles[h].obj >= 0;
}

int model_type(handle_t h) {
    return model_is_open(h) ? objs[handles[h].obj].type : OT_NONE;
}

int model_new_obj(int type) {
    for (int i = 0; i < OBJ_MAX; i++) {
        if (objs[i].type == OT_NONE) {
            memset(&objs[i], 0, sizeof(objs[i]));
            objs[i].type = (uint8_t)type;
            objs[i].peer = -1;
            objs[i].qhead = objs[i].qtail = -1;
            return i;
        }
    }
    fuzz_fail("model: out of object slots");
    return 0;
}

void model_install(handle_t h, int obj, uint32_t rights) {
    if (h <= 0 || h >= HMAX) {
        fuzz_fail("kernel returned handle %d, beyond what the model follows", h);
        return;
    }
    if (handles[h].obj >= 0) {
        fuzz_fail("kernel returned handle %d, which is already open", h);
        return;
    }
    handles[h].obj = obj;
    handles[h].rights = rights;
    objs[obj].refs++;
}

void model_msg_free(int m) {
    for (uint32_t i = 0; i < MSGINFO_HANDLES(msgs[m].info); i++) {
        if (msgs[m].obj[i] >= 0)
            model_unref(msgs[m].obj[i]);
    }
    msgs[m].next = msg_free_head;
    msg_free_head = m;
}

// Mirrors the kernel's destroy functions: a channel end unhooks its peer
// and drops its queue (which may drop other objects); a poll its entries.
void model_unref(int obj) {
    struct mobj *o = &objs[obj];
    if (--o->refs > 0)
        return;
    if (o->type == OT_CHANNEL) {
        if (o->peer >= 0)
            objs[o->peer].peer = -1;
        o->peer = -1;
        int m = o->qhead;
        o->qhead = o->qtail = -1;
        o->qlen = 0;
        while (m >= 0) {
            int next = msgs[m].next;
            model_msg_free(m);
            m = next;
        }
    }
    o->type = OT_NONE;
}

void model_close(handle_t h) {
    int obj = handles[h].obj;
    handles[h].obj = -1;
    // The kernel forgets poll entries of a handle that leaves the table.
    for (int i = 0; i < OBJ_MAX; i++) {
        struct mobj *p = &objs[i];
        if (p->type != OT_POLL)
            continue;
        for (int j = 0; j < p->npoll; j++) {
            if (p->ph[j] == h) {
                p->npoll--;
                p->ph[j] = p->ph[p->npoll];
                p->pint[j] = p->pint[p->npoll];
                p->pcookie[j] = p->pcookie[p->npoll];
                j--;
            }
        }
    }
    model_unref(obj);
}

int model_send(int from, msginfo_t info, const handle_t *hs, uint32_t sum) {
    int to = objs[from].peer;
    int m = msg_free_head;
    if (m < 0 || to < 0) {
        fuzz_fail("model: send without a message slot or a peer");
        return -1;
    }
    msg_free_head = msgs[m].next;
    msgs[m].next = -1;
    msgs[m].info = info;
    msgs[m].sum = sum;
    msgs[m].src = 0, msgs[m].src_what = NULL, msgs[m].call = trace_count() - 1;
    for (uint32_t i = 0; i < MSGINFO_HANDLES(info); i++) {
        handle_t h = hs[i];
        msgs[m].obj[i] = handles[h].obj;
        msgs[m].rights[i] = handles[h].rights;
        objs[handles[h].obj].refs++; // the message's reference, before the handle's goes
        model_close(h);
    }
    struct mobj *t = &objs[to];
    if (t->qtail >= 0)
        msgs[t->qtail].next = m;
    else
        t->qhead = m;
    t->qtail = m;
    t->qlen++;
    return m;
}

int model_recv_pop(int ch) {
    struct mobj *o = &objs[ch];
    int m = o->qhead;
    if (m < 0)
        return -1;
    o->qhead = msgs[m].next;
    if (o->qhead < 0)
        o->qtail = -1;
    o->qlen--;
    msgs[m].next = -1;
    return m;
}

int model_readiness(handle_t h) {
    struct mobj *o = &objs[handles[h].obj];
    switch (o->type) {
    case OT_CHANNEL: {
        int r = o->qlen ? POLL_READABLE : 0;
        if (o->peer < 0)
            r |= POLL_CLOSED;
        else if (objs[o->peer].qlen < QUEUE_MAX)
            r |= POLL_WRITABLE;
        return r;
    }
    case OT_TIMER:
    case OT_INTR:
        return -1; // depends on time or on a device
    default:
        return 0;
    }
}

int model_map_add(uint64_t va, uint64_t len, int obj, uint32_t prot) {
    for (int i = 0; i < MAP_MAX; i++) {
        if (maps[i].va == 0) {
            maps[i] = (struct mmap){va, len, obj, prot};
            objs[obj].refs++;
            return 0;
        }
    }
    return -1;
}

struct mmap *model_map_find(uint64_t va) {
    for (int i = 0; i < MAP_MAX; i++) {
        if (maps[i].va && maps[i].va == va)
            return &maps[i];
    }
    return NULL;
}

bool model_check_table(void) {
    for (handle_t h = 1; h < HMAX; h++) {
        bool want = handles[h].obj >= 0, got = handle_open(h);
        if (want != got) {
            fuzz_fail("handle %d is %s but the model says %s", h, got ? "open" : "closed",
                      want ? "open" : "closed");
            return false;
        }
    }
    // Nothing beyond the numbers the model follows.
    for (handle_t h = HMAX; h < HMAX + 64; h++) {
        if (handle_open(h)) {
            fuzz_fail("handle %d is open but the model never saw it", h);
            return false;
        }
    }
    return true;
}

handle_t model_pick(int type) {
    handle_t cand[HMAX];
    int n = 0;
    for (handle_t h = 1; h < HMAX; h++) {
        if (handles[h].obj >= 0 && !handles[h].prot && (type <= 0 || model_type(h) == type))
            cand[n++] = h;
    }
    if (n == 0 && type > 0)
        return model_pick(0);
    return n ? cand[rng_below((uint64_t)n)] : 0;
}

handle_t model_pick_closed(void) {
    for (int tries = 0; tries < 8; tries++) {
        handle_t h = (handle_t)(1 + rng_below(HMAX - 1));
        if (handles[h].obj < 0)
            return h;
    }
    return HMAX + 7;
}
