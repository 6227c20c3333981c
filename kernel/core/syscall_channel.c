// SPDX-License-Identifier: MIT
// The channel syscalls: create, send, receive, and call with its handoff between waiting threads.
#include "../../abi/syscall.h"
#include "channel.h"
#include "kmalloc.h"
#include "syscall.h"
#include "usercopy.h"
#include "vmspace.h"
#include <string.h>

int64_t sys_channel_create(int64_t out) {
    if (!user_range_ok((void *)out, 2 * sizeof(handle_t), PROT_WRITE))
        return ERR_BAD_ADDR;
    int err = handle_reserve(my_handles(), 2);
    if (err < 0)
        return err;
    struct channel *a, *b;
    if ((err = channel_create_pair(&a, &b)) < 0)
        return err;
    handle_t hs[2] = {handle_install(my_handles(), &a->obj, RIGHTS_CHANNEL),
                      handle_install(my_handles(), &b->obj, RIGHTS_CHANNEL)};
    ASSERT(hs[0] > 0 && hs[1] > 0); // reserved above
    if (copy_to_user((void *)out, hs, sizeof(hs)) < 0)
        panic("channel_create: checked output range failed");
    return 0;
}

// Builds a message to send through ch from the caller's memory: everything
// is checked and the message built before anything is moved, so a failure
// changes nothing and the caller keeps its handles. On success (0) *out owns
// the handles it carries, taken from the caller; the caller queues it
// (channel_enqueue) or hands it over.
ALWAYS_INLINE int64_t message_from_user(struct channel *ch, msginfo_t info, const void *data,
                                        handle_t *handles_inout, struct message **out) {
    int err = msginfo_check(info);
    if (err < 0)
        return err;
    uint32_t len = MSGINFO_LEN(info), nh = MSGINFO_HANDLES(info);
    handle_t hs[MSG_MAX_HANDLES];
    if (nh && copy_from_user(hs, handles_inout, nh * sizeof(handle_t)) < 0)
        return ERR_BAD_ADDR;
    struct handle_entry *entries[MSG_MAX_HANDLES];
    for (uint32_t i = 0; i < nh; i++) {
        if ((err = handle_get(my_handles(), hs[i], 0, RIGHT_TRANSFER, &entries[i])) < 0)
            return err;
        // Sending a channel end through itself (or its peer) would make it
        // keep itself alive forever.
        if (entries[i]->obj == &ch->obj || (ch->peer && entries[i]->obj == &ch->peer->obj))
            return ERR_INVALID_ARG;
        // Nor may an end travel while channels wait in its queue (see channels_queued).
        if (entries[i]->obj->type == KOBJ_CHANNEL &&
            ((struct channel *)entries[i]->obj)->channels_queued > 0)
            return ERR_INVALID_ARG;
        for (uint32_t j = 0; j < i; j++) {
            if (hs[j] == hs[i])
                return ERR_INVALID_ARG;
        }
    }
    if ((err = channel_can_send(ch)) < 0)
        return err;
    struct message *msg = message_alloc(len);
    if (!msg)
        return ERR_NO_MEMORY;
    if (copy_from_user(msg->data, data, len) < 0) {
        kfree(msg);
        return ERR_BAD_ADDR;
    }
    // Point of no return: nothing below fails.
    msg->info = info;
    for (uint32_t i = 0; i < nh; i++) {
        msg->rights[i] = entries[i]->rights;
        msg->handles[i] = handle_take(hs[i]);
    }
    *out = msg;
    return 0;
}

// Receives the oldest message into the caller's memory. On any error the
// message stays queued.
ALWAYS_INLINE int64_t channel_recv_into(struct channel *ch, void *buf, size_t buf_len,
                                        handle_t *handles_out) {
    struct message *msg = channel_peek(ch);
    if (!msg)
        return ch->peer ? ERR_EMPTY : ERR_CLOSED;
    uint32_t len = MSGINFO_LEN(msg->info), nh = MSGINFO_HANDLES(msg->info);
    if (buf_len < len)
        return ERR_TOO_SMALL;
    if (nh) {
        if (!user_range_ok(handles_out, nh * sizeof(handle_t), PROT_WRITE))
            return ERR_BAD_ADDR;
        int err = handle_reserve(my_handles(), nh);
        if (err < 0)
            return err;
    }
    // The data goes first: copy_to_user checks the range and writes nothing
    // when it fails, so the message is still queued and nothing has changed.
    if (copy_to_user(buf, msg->data, len) < 0)
        return ERR_BAD_ADDR;
    // Point of no return. Dequeue while the message still holds its handles
    // (the queue counts the channel ends in it).
    channel_dequeue(ch, msg);
    handle_t hs[MSG_MAX_HANDLES];
    for (uint32_t i = 0; i < nh; i++) {
        hs[i] = handle_install(my_handles(), msg->handles[i], msg->rights[i]);
        ASSERT(hs[i] > 0);
        msg->handles[i] = NULL;
    }
    if (nh && copy_to_user(handles_out, hs, nh * sizeof(handle_t)) < 0)
        panic("channel_recv: checked output range failed");
    msginfo_t info = msg->info;
    message_recycle(msg);
    return info;
}

int64_t sys_channel_send(int64_t h, int64_t info, int64_t data, int64_t handles) {
    GET_OBJ(ch, h, KOBJ_CHANNEL, channel, RIGHT_WRITE);
    struct message *msg;
    int64_t ret = message_from_user(ch, info, (const void *)data, (handle_t *)handles, &msg);
    if (ret == 0)
        channel_enqueue(ch, msg);
    return ret;
}

int64_t sys_channel_recv(int64_t h, int64_t buf, int64_t buf_len, int64_t handles) {
    GET_OBJ(ch, h, KOBJ_CHANNEL, channel, RIGHT_READ);
    if (buf_len < 0)
        return ERR_INVALID_ARG;
    return channel_recv_into(ch, (void *)buf, (size_t)buf_len, (handle_t *)handles);
}

// Takes the message another thread's channel_call handed to the current
// thread (channel_hand_over), which waited in channel_call at ch: returns its
// msginfo, or, if it cannot be received here (the buffer is too small or
// bad), queues it at ch and returns ERR_EMPTY so that the ordinary receive
// reports why and leaves it queued.
ALWAYS_INLINE int64_t channel_take_handed(struct channel *ch, void *buf, size_t buf_len) {
    struct message *msg = current->ipc_handed;
    current->ipc_handed = NULL;
    uint32_t len = MSGINFO_LEN(msg->info);
    if (len > buf_len ||
        (len <= current->ipc_reply_checked ? copy_to_user_checked(buf, msg->data, len)
                                           : copy_to_user(buf, msg->data, len)) < 0) {
        channel_requeue(ch, msg);
        return ERR_EMPTY;
    }
    msginfo_t info = msg->info;
    message_recycle(msg);
    return info;
}

// Records where the current thread waits in channel_call (see struct
// thread); `checked` as ipc_reply_checked.
ALWAYS_INLINE void channel_call_begin_wait(struct channel *ch, int64_t buf, int64_t buf_len,
                                           int64_t handles, size_t checked) {
    struct thread *self = current;
    self->ipc_call_ch = ch;
    self->ipc_reply_buf = (void *)buf;
    self->ipc_reply_len = (size_t)buf_len;
    self->ipc_reply_handles = (handle_t *)handles;
    self->ipc_reply_checked = checked;
}

// The second half of channel_call: waits at the channel recorded by
// channel_call_begin_wait (on which the caller holds a reference) for the
// reply and receives it. `err` is what the caller's own wait returned, if it
// has waited already (else 0).
static int64_t channel_call_wait(int err) {
    struct thread *self = current;
    struct channel *ch = self->ipc_call_ch;
    int64_t ret;
    for (;;) {
        if (self->ipc_copied) {
            ret = self->ipc_copied & ~IPC_COPIED;
            self->ipc_copied = 0;
            break;
        }
        if (err < 0) {
            ret = err;
            break;
        }
        if (self->ipc_handed) {
            ret = channel_take_handed(ch, self->ipc_reply_buf, self->ipc_reply_len);
            if (ret != ERR_EMPTY)
                break;
        }
        if (!list_is_empty(&ch->queue) || !ch->peer) {
            ret = channel_recv_into(ch, self->ipc_reply_buf, self->ipc_reply_len,
                                    self->ipc_reply_handles);
            if (ret != ERR_EMPTY)
                break;
        }
        if (self->ipc_spare)
            message_drop_spare(); // the send did not need it; keep none while asleep
        bool ok = user_range_ok(self->ipc_reply_buf, self->ipc_reply_len, PROT_READ | PROT_WRITE);
        self->ipc_reply_checked = ok ? self->ipc_reply_len : 0;
        err = thread_block(&ch->waiters, 0);
    }
    // Leaving without it (the process is exiting): it stays for the end's next reader.
    if (self->ipc_handed) {
        channel_requeue(ch, self->ipc_handed);
        self->ipc_handed = NULL;
    }
    return ret;
}

// The end of every channel_call: takes the reply (normally handed over or
// copied in already, else through channel_call_wait) and lets go of the
// channel. `err` as for channel_call_wait.
ALWAYS_INLINE int64_t channel_call_finish(int err) {
    struct thread *self = current;
    int64_t ret = ERR_EMPTY;
    if (err == 0 && self->ipc_copied) {
        ret = self->ipc_copied & ~IPC_COPIED;
        self->ipc_copied = 0;
    } else if (err == 0 && self->ipc_handed) {
        ret = channel_take_handed(self->ipc_call_ch, self->ipc_reply_buf, self->ipc_reply_len);
    }
    if (ret == ERR_EMPTY)
        ret = channel_call_wait(err);
    kobj_unref(&self->ipc_call_ch->obj);
    return ret;
}

int64_t sys_channel_call(int64_t h, int64_t info, int64_t buf, int64_t buf_len, int64_t handles) {
    GET_OBJ(ch, h, KOBJ_CHANNEL, channel, RIGHT_READ | RIGHT_WRITE);
    if (buf_len < 0)
        return ERR_INVALID_ARG;
    struct message *msg;
    int64_t ret = message_from_user(ch, info, (const void *)buf, (handle_t *)handles, &msg);
    if (ret < 0)
        return ret;
    channel_enqueue(ch, msg);
    // Hold the channel while we sleep: another thread may close the handle.
    kobj_ref(&ch->obj);
    channel_call_begin_wait(ch, buf, buf_len, handles, 0);
    return channel_call_finish(0);
}

// ---- SYS_CHANNEL_CALL's fast path --------------------------------------------
//
// When a thread waits in channel_call at the other end, a call without
// handles goes straight to it, and the CPU with it (see channel_hand_over and
// thread_block_and_run): the request/reply exchange of a client and a server.
// Its functions, in the order a call goes through them:
//
//   channel_call_fast       the checks, and a short in-kernel message's copy; no
//                           frame (it calls nothing but its tail)
//     -> channel_call_recheck  the caller's buffer outside its last-hit mapping
//     -> channel_call_slow     anything else: the general path (syscall_run)
//     -> channel_call_copy     in-kernel, longer than IPC_INLINE_COPY_MAX: memcpy
//     -> channel_call_hand_buffer  a user-mode thread at either end: a message buffer
//   channel_call_handoff    the caller waits, the receiver runs
//   ...                     (the receiver's own handoff_end, then its app)
//   channel_call_handoff_end      back in the caller: a copied reply taken, no frame
//     -> channel_call_handoff_end_slow  anything else (channel_call_finish)
//
// Each is its own function so that none keeps in registers what arch_switch
// saves again (docs/benchmarks.md, round 4); they pass their arguments in the
// registers they arrived in.

// channel_call_fast's check of a msginfo relies on this layout.
_Static_assert((MSGINFO_RESERVED | MSGINFO(0, 0, 7)) == 0x80000000ffffe000ull,
               "a msginfo with no handles nor reserved bits has only its length in bits 0-31");

// SYS_CHANNEL_CALL through the general path (syscall_run): every case the
// fast path below does not take, and every error.
static NOINLINE int64_t channel_call_slow(int64_t h, int64_t info, int64_t buf, int64_t buf_len,
                                          int64_t handles) {
    return syscall_run(h, info, buf, buf_len, handles, SYS_CHANNEL_CALL);
}

// The largest message channel_call_fast copies itself (copy_short).
#define IPC_INLINE_COPY_MAX 64

// A copy of up to IPC_INLINE_COPY_MAX bytes that calls nothing (see
// channel_call_fast): words if both ends are aligned, else bytes.
ALWAYS_INLINE void copy_short(void *dst, const void *src, size_t len) {
    typedef uint64_t __attribute__((may_alias)) word_t;
    // Loops not unrolled: an unrolled one needs more registers than are
    // free without a frame (x86_64), and most messages are a word or two.
    if ((((uintptr_t)dst | (uintptr_t)src | len) & (sizeof(word_t) - 1)) == 0) {
#pragma clang loop unroll(disable)
        for (size_t i = 0; i < len / sizeof(word_t); i++)
            ((word_t *)dst)[i] = ((const word_t *)src)[i];
    } else {
#pragma clang loop unroll(disable)
        for (size_t i = 0; i < len; i++)
            ((char *)dst)[i] = ((const char *)src)[i];
    }
}

// channel_call_handoff_end for every case but the common one.
static NOINLINE int64_t channel_call_handoff_end_slow(void) {
    int64_t ret = channel_call_finish(thread_wake_result(current));
    if (current->killed)
        thread_exit_current();
    return ret;
}

// The end of channel_call_handoff, in the thread that called it, when it runs
// again. Its own function, reached by a tail call, and everything it needs
// is in `current`: so the handoff keeps nothing in registers across the
// switch (arch_switch saves them, and they would be saved twice). And for
// the common case (the reply was copied in, and the channel has other
// references) it calls nothing, so it needs no frame either. (A reply copied
// in came with the CPU, from the handoff of the thread that answered: the
// wait ended well, and nobody could kill this thread in between. Any other
// end of the wait takes the slow way, which looks at how it ended.)
static NOINLINE int64_t channel_call_handoff_end(void) {
    struct thread *self = current;
    struct kobj *ch = &self->ipc_call_ch->obj;
    if (self->ipc_copied && ch->refcount > 1) {
        int64_t ret = (int64_t)(self->ipc_copied & ~IPC_COPIED);
        self->ipc_copied = 0;
        ch->refcount--; // kobj_unref, not the last reference
        return ret;
    }
    return channel_call_handoff_end_slow();
}

// The fast path from its point of no return, with the message given to the
// receiver waiting in channel_call already (copied into its reply buffer, or
// a message buffer handed over): the caller waits, the CPU goes to the
// receiver (thread_block_and_run), and the reply normally comes back the
// same way.
// The caller holds no spare message buffer (channel_call_fast).
static NOINLINE int64_t channel_call_handoff(struct channel *ch, int64_t info, int64_t buf,
                                             int64_t buf_len, int64_t handles,
                                             struct thread *receiver) {
    struct thread *self = current;
    self->ipc_handoffs++;
    // Another thread may close the handle while we sleep. (That handle holds
    // a reference: no need for kobj_ref's check.)
    ch->obj.refcount++;
    // channel_call_fast found [buf, +buf_len) readable and writable (checked now,
    // or by this thread's previous call with the same buffer).
    channel_call_begin_wait(ch, buf, buf_len, handles, (size_t)buf_len);
    thread_block_and_run(self, &ch->waiters, receiver);
    return channel_call_handoff_end();
}

// The message copy of the in-kernel handoff when it is longer than
// IPC_INLINE_COPY_MAX: a call to memcpy, which channel_call_fast does not
// make, so that it needs no frame (a matter of speed: see
// channel_call_handoff_end).
static NOINLINE int64_t channel_call_copy(struct channel *ch, int64_t info, int64_t buf,
                                          int64_t buf_len, int64_t handles,
                                          struct thread *receiver) {
    memcpy(receiver->ipc_reply_buf, (const void *)buf, MSGINFO_LEN(info));
    receiver->ipc_copied = (uint64_t)info | IPC_COPIED;
    return channel_call_handoff(ch, info, buf, buf_len, handles, receiver);
}

// channel_call_fast's handoff when a thread at either end runs in user mode:
// the message goes over in a message buffer (channel_hand_over), which the
// receiver copies out.
static NOINLINE int64_t channel_call_hand_buffer(struct channel *ch, int64_t info, int64_t buf,
                                                 int64_t buf_len, int64_t handles,
                                                 struct thread *receiver) {
    uint32_t len = MSGINFO_LEN(info);
    struct message *msg = message_alloc(len);
    // channel_call_fast found [buf, +len) readable (see channel_call_handoff).
    if (!msg || copy_from_user_checked(msg->data, (const void *)buf, len) < 0) {
        // As the general path fails, changing nothing (its info and handles
        // are stale). The copy fails only in user mode, on a fault.
        syscall_count++;
        kfree(msg);
        return msg ? ERR_BAD_ADDR : ERR_NO_MEMORY;
    }
    msg->info = info;
    channel_hand_over(ch, msg, receiver);
    if (current->ipc_spare)
        message_drop_spare(); // the send did not need it; keep none while asleep
    return channel_call_handoff(ch, info, buf, buf_len, handles, receiver);
}

static int64_t channel_call_recheck(int64_t h, int64_t info, int64_t buf, int64_t buf_len,
                                    int64_t handles);

// SYS_CHANNEL_CALL's entry. When a thread waits in channel_call at the peer
// end and the message carries no handles (the request/reply exchange of a
// client and a server, or of two threads calling each other) it does what
// sys_channel_call does in fewer steps: the message and the CPU go to the
// waiting thread directly, and the reply normally comes back the same way.
// Any other case, and any error, goes to the general path before anything
// has changed. Built for the common case alone: checks that need no call
// (so no frame), then a tail call.
int64_t channel_call_fast(int64_t h, int64_t info, int64_t buf, int64_t buf_len, int64_t handles) {
    struct thread *self = current;
    struct process *proc = self->proc;
    // handle_get for the case that matters, an open channel with both rights:
    // none if it is the handle of the previous call (handles.call_hit).
    struct channel *ch = (struct channel *)proc->handles.call_hit_obj;
    if (h != proc->handles.call_hit) {
        if ((uint64_t)h - 1 >= proc->handles.capacity)
            goto slow;
        struct handle_entry *e = &proc->handles.entries[h - 1];
        ch = (struct channel *)e->obj;
        if (!ch || ch->obj.type != KOBJ_CHANNEL || (~e->rights & (RIGHT_READ | RIGHT_WRITE)))
            goto slow;
        proc->handles.call_hit = h;
        proc->handles.call_hit_obj = &ch->obj;
    }
    struct thread *receiver = channel_waiting_caller(ch);
    // A message already waiting here is the answer to this call (the oldest
    // comes first): the general path sends and returns it at once. And a
    // msginfo without handles or reserved bits has bits 13-31 and 63 clear
    // (see the _Static_assert above): its low 32 bits are its length.
    uint32_t len = (uint32_t)info;
    // (A negative buf_len is a span no check passes: channel_call_recheck
    // sends it to the general path. And the caller is not being killed: a
    // kill marks only threads inside a syscall, which exit at its end.)
    if (!receiver || !list_is_empty(&ch->queue) || len > MSG_MAX_DATA || info < 0)
        goto slow;
    // [buf, +span) holds the request and will hold the reply: one check for
    // both, made by channel_call_recheck unless the previous call's buffer was
    // the same and as long (the thread's ipc_reply_checked holds).
    size_t span = MAX((size_t)len, (size_t)buf_len);
    if ((buf != (int64_t)self->ipc_reply_buf || span > self->ipc_reply_checked) && span)
        return channel_call_recheck(h, info, buf, buf_len, handles);
    // Both in the kernel's address space: copy straight into the receiver's
    // buffer, with no message buffer in between. (A spare buffer, which the
    // caller must not keep while it waits, carries the message instead.)
    if (proc->mode == ISOLATION_IN_KERNEL && receiver->proc->mode == ISOLATION_IN_KERNEL &&
        len <= receiver->ipc_reply_checked && !self->ipc_spare) {
        if (len > IPC_INLINE_COPY_MAX)
            return channel_call_copy(ch, info, buf, buf_len, handles, receiver);
        // A short message (most are), inline: no call, so still no frame.
        copy_short(receiver->ipc_reply_buf, (const void *)buf, len);
        receiver->ipc_copied = (uint64_t)info | IPC_COPIED;
        return channel_call_handoff(ch, info, buf, buf_len, handles, receiver);
    }
    return channel_call_hand_buffer(ch, info, buf, buf_len, handles, receiver);
slow:
    return channel_call_slow(h, info, buf, buf_len, handles);
}

// channel_call_fast when the caller's buffer is not the one its previous call
// checked: the check, whose success is remembered as if that call had been
// made with this buffer (ipc_reply_buf and ipc_reply_checked mean nothing else
// while the thread runs), so that channel_call_fast, entered again, goes on.
static NOINLINE int64_t channel_call_recheck(int64_t h, int64_t info, int64_t buf, int64_t buf_len,
                                             int64_t handles) {
    struct thread *self = current;
    size_t span = MAX((size_t)MSGINFO_LEN(info), (size_t)buf_len);
    if (!user_range_ok((const void *)buf, span, PROT_READ | PROT_WRITE))
        return channel_call_slow(h, info, buf, buf_len, handles);
    self->ipc_reply_buf = (void *)buf;
    self->ipc_reply_checked = span;
    return channel_call_fast(h, info, buf, buf_len, handles);
}
