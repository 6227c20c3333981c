// SPDX-License-Identifier: MIT
// sysfuzz's channel calls: create, send, receive and call with hostile arguments, each outcome predicted from the model.
#include "sysfuzz.h"
#include <stdio.h>

#define RIGHTS_CHANNEL (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER)

// Outcome of a handle lookup as the kernel does it (GET_OBJ / handle_get):
// a mask with the one expected error, or X_OK.
uint32_t want_handle(int64_t h, int type, uint32_t rights) {
    handle_t hh = (handle_t)h;
    // A number with bits above handle_t's names no handle (it once named the
    // one its low bits do: see repro.c, handle_high_bits).
    if (h != (int64_t)hh || !model_is_open(hh))
        return X(ERR_BAD_HANDLE);
    if (type && model_type(hh) != type)
        return X(ERR_WRONG_TYPE);
    if ((handles[hh].rights & rights) != rights)
        return X(ERR_NOT_ALLOWED);
    return X_OK;
}

void op_channel_create(uint8_t *stack_buf) {
    struct ptr p = gen_ptr(stack_buf);
    enum pvalid v = ptr_ok(&p, 8, true);
    if (v == PV_MAYBE || model_live() + 2 > LIVE_MAX) {
        p.addr = (uint64_t)(uintptr_t)scratch; // stay within what can be written
        v = PV_YES;
    }
    int64_t r = fz_call(SYS_CHANNEL_CREATE, (int64_t)p.addr, 0, 0, 0, 0);
    if (!fz_want("channel_create", r, v == PV_YES ? X_OK | X(ERR_NO_MEMORY) : X(ERR_BAD_ADDR)))
        return;
    if (r == 0) {
        handle_t hs[2];
        memcpy(hs, (void *)(uintptr_t)p.addr, sizeof(hs));
        int a = model_new_obj(OT_CHANNEL), b = model_new_obj(OT_CHANNEL);
        objs[a].peer = b;
        objs[b].peer = a;
        model_install(hs[0], a, RIGHTS_CHANNEL);
        model_install(hs[1], b, RIGHTS_CHANNEL);
    }
}

// Whether a message queued at channel object o carries a channel end.
static bool channels_queued_at(int o) {
    for (int m = objs[o].qhead; m >= 0; m = msgs[m].next) {
        for (uint32_t i = 0; i < MSGINFO_HANDLES(msgs[m].info); i++) {
            if (msgs[m].obj[i] >= 0 && objs[msgs[m].obj[i]].type == OT_CHANNEL)
                return true;
        }
    }
    return false;
}

// What sending info/data/handles on h must give (the kernel's order of checks).
static uint32_t predict_send(int64_t h, uint32_t need, msginfo_t info, const struct ptr *data,
                             const struct ptr *hp, handle_t *hs) {
    uint32_t w = want_handle(h, OT_CHANNEL, need);
    if (w != X_OK)
        return w;
    int ch = handles[(handle_t)h].obj;
    int err = msginfo_check(info);
    if (err < 0)
        return X(err);
    uint32_t len = MSGINFO_LEN(info), nh = MSGINFO_HANDLES(info);
    if (nh) {
        enum pvalid v = ptr_ok(hp, nh * sizeof(handle_t), false);
        if (v == PV_NO)
            return X(ERR_BAD_ADDR);
        memcpy(hs, (void *)(uintptr_t)hp->addr, nh * sizeof(handle_t));
    }
    for (uint32_t i = 0; i < nh; i++) {
        if (!model_is_open(hs[i]))
            return X(ERR_BAD_HANDLE);
        if (!(handles[hs[i]].rights & RIGHT_TRANSFER))
            return X(ERR_NOT_ALLOWED);
        int o = handles[hs[i]].obj;
        if (o == ch || (objs[ch].peer >= 0 && o == objs[ch].peer))
            return X(ERR_INVALID_ARG);
        if (objs[o].type == OT_CHANNEL && channels_queued_at(o))
            return X(ERR_INVALID_ARG); // it could close a reference cycle
        for (uint32_t j = 0; j < i; j++) {
            if (hs[j] == hs[i])
                return X(ERR_INVALID_ARG);
        }
    }
    if (objs[ch].peer < 0)
        return X(ERR_CLOSED);
    if (objs[objs[ch].peer].qlen >= QUEUE_MAX)
        return X(ERR_FULL);
    enum pvalid v = ptr_ok(data, len, false);
    if (v == PV_NO)
        return X(ERR_NO_MEMORY) | X(ERR_BAD_ADDR);
    return X_OK | X(ERR_NO_MEMORY) | (v == PV_MAYBE ? X(ERR_BAD_ADDR) : 0);
}

// What receiving on channel object ch into buf/hp must give; *m is the message.
static uint32_t predict_recv(int ch, uint64_t buf_len, const struct ptr *buf, const struct ptr *hp,
                             int *m) {
    *m = objs[ch].qhead;
    if (*m < 0)
        return objs[ch].peer >= 0 ? X(ERR_EMPTY) : X(ERR_CLOSED);
    uint32_t len = MSGINFO_LEN(msgs[*m].info), nh = MSGINFO_HANDLES(msgs[*m].info);
    if (buf_len < len)
        return X(ERR_TOO_SMALL);
    if (ptr_ok(buf, len, true) == PV_NO || ptr_ok(hp, nh * sizeof(handle_t), true) == PV_NO)
        return X(ERR_BAD_ADDR);
    return X_OK | X(ERR_NO_MEMORY) | X(ERR_TOO_LARGE);
}

// Remembers where a message's data came from, for a failure report.
static void note_source(int m, const struct ptr *data) {
    if (m >= 0) {
        msgs[m].src = data->addr;
        msgs[m].src_what = data->what;
    }
}

// Checks a received message against the model and adopts its handles.
static void take_received(int64_t r, int m, const struct ptr *buf, const struct ptr *hp) {
    if (r != msgs[m].info) {
        fuzz_fail("received msginfo %#llx, the model expected %#llx", (unsigned long long)r,
                  (unsigned long long)msgs[m].info);
        return;
    }
    uint32_t len = MSGINFO_LEN(msgs[m].info), nh = MSGINFO_HANDLES(msgs[m].info);
    // The kernel writes the data, then the handles: where a generated handle
    // array overlaps the data, the handles' bytes replace the data's, which
    // then cannot be checked against what was sent.
    bool overlap = nh && hp->addr < buf->addr + len && buf->addr < hp->addr + nh * sizeof(handle_t);
    if (len && !overlap && data_sum((void *)(uintptr_t)buf->addr, len) != msgs[m].sum) {
        fuzz_fail("received %u bytes that differ from what was sent (at call #%llu from %#llx, %s)",
                  len, (unsigned long long)msgs[m].call, (unsigned long long)msgs[m].src,
                  msgs[m].src_what ? msgs[m].src_what : "?");
        return;
    }
    handle_t hs[MSG_MAX_HANDLES];
    if (nh)
        memcpy(hs, (void *)(uintptr_t)hp->addr, nh * sizeof(handle_t));
    for (uint32_t i = 0; i < nh; i++) {
        model_install(hs[i], msgs[m].obj[i], msgs[m].rights[i]);
        model_unref(msgs[m].obj[i]); // the message's reference became the handle's
        msgs[m].obj[i] = -1;
    }
    model_msg_free(m);
}

// Fills a handle array for a send: mostly own handles (any type), at times
// the channel itself, duplicates, closed numbers or the vmspace (no transfer right).
static void gen_send_handles(handle_t *hs, int64_t ch) {
    for (int i = 0; i < MSG_MAX_HANDLES; i++) {
        switch (rng_below(10)) {
        case 0: hs[i] = (handle_t)ch; break;
        case 1: hs[i] = i ? hs[0] : (handle_t)ch; break;
        case 2: hs[i] = vmspace_h; break;
        case 3: hs[i] = model_pick_closed(); break;
        default: hs[i] = model_pick(0); break;
        }
    }
}

void op_channel_send(uint8_t *stack_buf, bool as_call) {
    handle_t local[MSG_MAX_HANDLES], hs[MSG_MAX_HANDLES];
    int64_t h = gen_handle(OT_CHANNEL);
    msginfo_t info = gen_msginfo();
    if (model_free_msgs() < 8)
        info |= 1 << 13; // the model's message pool is low: this send must fail
    struct ptr data = gen_ptr(stack_buf);
    gen_send_handles(local, h);
    struct ptr hp = {.addr = (uint64_t)(uintptr_t)local, .room_r = sizeof(local),
                     .room_w = sizeof(local), .what = "handles"};
    if (rng_pct(15))
        hp = gen_ptr(stack_buf);
    if (ptr_ok(&hp, MSG_MAX_HANDLES * sizeof(handle_t), true) == PV_MAYBE) {
        hp.addr = (uint64_t)(uintptr_t)local;
        hp.room_r = hp.room_w = sizeof(local);
    }
    // A handle array read from memory holds whatever is there: it must not
    // name a handle of the app's environment, or a send could give it away.
    uint32_t nh = MSGINFO_HANDLES(info) < MSG_MAX_HANDLES ? MSGINFO_HANDLES(info) : MSG_MAX_HANDLES;
    enum pvalid hv = ptr_ok(&hp, nh * sizeof(handle_t), false);
    for (uint32_t i = 0; hp.addr != (uint64_t)(uintptr_t)local && hv != PV_NO && i < nh; i++) {
        handle_t x;
        if (hv == PV_YES)
            memcpy(&x, (const uint8_t *)(uintptr_t)hp.addr + i * sizeof(x), sizeof(x));
        if (hv == PV_MAYBE || (x > 0 && x < HMAX && handles[x].prot && x != vmspace_h)) {
            hp = (struct ptr){.addr = (uint64_t)(uintptr_t)local, .room_r = sizeof(local),
                              .room_w = sizeof(local), .what = "handles"};
            break;
        }
    }
    uint32_t need = as_call ? RIGHT_READ | RIGHT_WRITE : RIGHT_WRITE;
    uint64_t buf_len = as_call ? gen_len(&data, true, 128) : 0;
    uint32_t want;
    int ch = -1, m = -1;
    if (as_call) {
        // channel_call takes the reply in the same buffer: it must be safe to
        // write, and a send from it either certainly works or certainly fails.
        if (ptr_ok(&data, MSGINFO_LEN(info), false) == PV_MAYBE ||
            ptr_ok(&data, MSG_MAX_DATA, true) == PV_MAYBE)
            data = (struct ptr){.addr = (uint64_t)(uintptr_t)scratch, .room_r = SCRATCH_SIZE,
                                .room_w = SCRATCH_SIZE, .end_known = true, .what = "scratch"};
        want = want_handle(h, OT_CHANNEL, need);
        if (want == X_OK && (int64_t)buf_len < 0)
            want = X(ERR_INVALID_ARG);
    }
    if (!as_call || want == X_OK)
        want = predict_send(h, need, info, &data, &hp, hs);
    if (as_call && (want & X_OK)) {
        ch = handles[(handle_t)h].obj;
        // After the send it blocks for the next message: only when one is
        // already queued (or the peer is gone) does it come back.
        if (objs[ch].qhead < 0 && objs[ch].peer >= 0) {
            info |= 1 << 14;
            want = X(ERR_INVALID_ARG);
        }
    }
    // A call's data is certainly readable (see above): sum it now, as its
    // reply overwrites it. A send's is summed by fz_send as soon as the
    // kernel accepted it, "maybe" memory included.
    uint32_t sum = 0;
    if (as_call && (want & X_OK))
        sum = data_sum((void *)(uintptr_t)data.addr, MSGINFO_LEN(info));
    int64_t r = as_call ? fz_call(SYS_CHANNEL_CALL, h, info, (int64_t)data.addr, (int64_t)buf_len,
                                  (int64_t)hp.addr)
                        : fz_send(h, info, (const void *)(uintptr_t)data.addr,
                                  (const void *)(uintptr_t)hp.addr, &sum);
    if (as_call && (want & X_OK)) {
        // Only running out of memory stops a send predicted to work; any
        // other result is the receive's.
        if (r == ERR_NO_MEMORY)
            goto check_kept;
        note_source(model_send(ch, info, hs, sum), &data);
        uint32_t rw = predict_recv(ch, buf_len, &data, &hp, &m);
        if (fz_want("channel_call (reply)", r, rw) && r >= 0)
            take_received(r, model_recv_pop(ch), &data, &hp);
        return;
    }
    if (!fz_want(as_call ? "channel_call" : "channel_send", r, want)) {
        // Say what the model thought of each handle named (for the report).
        for (uint32_t i = 0; (want & X_OK) == 0 && i < MSGINFO_HANDLES(info) && i < MSG_MAX_HANDLES; i++) {
            handle_t x = hs[i];
            printf("sysfuzz:   handles[%u] = %d: model %s rights %#x, kernel %s\n", i, x,
                   model_is_open(x) ? "open" : "closed", model_is_open(x) ? handles[x].rights : 0,
                   handle_open(x) ? "open" : "closed");
        }
        return;
    }
    if (r == 0 && !as_call) {
        note_source(model_send(handles[(handle_t)h].obj, info, hs, sum), &data);
        return;
    }
check_kept:
    // A failed send leaves every handle it named with the sender.
    if (r < 0 && (uint64_t)info < (1ull << 63) && MSGINFO_HANDLES(info) <= MSG_MAX_HANDLES &&
        ptr_ok(&hp, MSGINFO_HANDLES(info) * sizeof(handle_t), false) == PV_YES) {
        for (uint32_t i = 0; i < MSGINFO_HANDLES(info); i++) {
            handle_t x = ((handle_t *)(uintptr_t)hp.addr)[i];
            if (model_is_open(x) && !handle_open(x))
                fuzz_fail("failed %s (%s) lost handle %d", as_call ? "call" : "send", err_name(r), x);
        }
    }
}

void op_channel_recv(uint8_t *stack_buf) {
    handle_t local[MSG_MAX_HANDLES];
    int64_t h = gen_handle(OT_CHANNEL);
    struct ptr buf = gen_ptr(stack_buf);
    uint64_t buf_len = gen_len(&buf, false, MSG_MAX_DATA);
    struct ptr hp = {.addr = (uint64_t)(uintptr_t)local, .room_r = sizeof(local),
                     .room_w = sizeof(local), .what = "handles"};
    if (rng_pct(15))
        hp = gen_ptr(stack_buf);
    uint32_t want = want_handle(h, OT_CHANNEL, RIGHT_READ);
    int m = -1;
    if (want == X_OK && (int64_t)buf_len < 0)
        want = X(ERR_INVALID_ARG);
    if (want == X_OK) {
        int ch = handles[(handle_t)h].obj;
        int front = objs[ch].qhead;
        if (front >= 0) {
            // Never let the kernel write where the app keeps other things.
            uint32_t len = MSGINFO_LEN(msgs[front].info), nh = MSGINFO_HANDLES(msgs[front].info);
            if (ptr_ok(&buf, len, true) == PV_MAYBE)
                buf = (struct ptr){.addr = (uint64_t)(uintptr_t)scratch, .room_r = SCRATCH_SIZE,
                                   .room_w = SCRATCH_SIZE, .end_known = true, .what = "scratch"};
            if (ptr_ok(&hp, nh * sizeof(handle_t), true) == PV_MAYBE)
                hp = (struct ptr){.addr = (uint64_t)(uintptr_t)local, .room_r = sizeof(local),
                                  .room_w = sizeof(local), .what = "handles"};
            if (model_live() + (int)nh > LIVE_MAX + 8)
                buf_len = 0; // too many handles already: make it fail (ERR_TOO_SMALL or ERR_EMPTY)
            if (buf_len == 0 && len == 0 && nh) // and a message with handles but no data:
                hp = (struct ptr){.what = "NULL", .end_known = true}; // a bad handle array
        }
        want = predict_recv(ch, buf_len, &buf, &hp, &m);
    }
    int64_t r = fz_call(SYS_CHANNEL_RECV, h, (int64_t)buf.addr, (int64_t)buf_len, (int64_t)hp.addr, 0);
    if (fz_want("channel_recv", r, want) && r >= 0)
        take_received(r, model_recv_pop(handles[(handle_t)h].obj), &buf, &hp);
}
