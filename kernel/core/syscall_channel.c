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
    if (len > buf_len || copy_to_user(buf, msg->data, len) < 0) {
        channel_requeue(ch, msg);
        return ERR_EMPTY;
    }
    ipc_messages_received++;
    msginfo_t info = msg->info;
    message_recycle(msg);
    return info;
}

// Takes the message a caller copied straight into the current thread's reply
// buffer (channel_hand_over_copied): returns its msginfo.
ALWAYS_INLINE int64_t channel_take_copied(void) {
    current->ipc_has_copied = false;
    ipc_messages_received++;
    return current->ipc_copied;
}

// The second half of channel_call: waits at ch (on which the caller holds a
// reference) for the reply and receives it. `err` is what the caller's own
// wait returned, if it has waited already (else 0).
static int64_t channel_call_wait(struct channel *ch, void *buf, size_t buf_len, handle_t *handles,
                                 int err) {
    int64_t ret;
    for (;;) {
        if (current->ipc_has_copied) {
            ret = channel_take_copied();
            break;
        }
        if (err < 0) {
            ret = err;
            break;
        }
        if (current->ipc_handed) {
            ret = channel_take_handed(ch, buf, buf_len);
            if (ret != ERR_EMPTY)
                break;
        }
        if (!list_is_empty(&ch->queue) || !ch->peer) {
            ret = channel_recv_into(ch, buf, buf_len, handles);
            if (ret != ERR_EMPTY)
                break;
        }
        if (current->ipc_spare)
            message_drop_spare(); // the send did not need it; keep none while asleep
        current->ipc_reply_buf = buf;
        current->ipc_reply_len = buf_len;
        err = thread_block(&ch->waiters, 0);
    }
    // Leaving without it (the process is exiting): it stays for the end's next reader.
    if (current->ipc_handed) {
        channel_requeue(ch, current->ipc_handed);
        current->ipc_handed = NULL;
    }
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
    ret = channel_call_wait(ch, (void *)buf, (size_t)buf_len, (handle_t *)handles, 0);
    kobj_unref(&ch->obj);
    return ret;
}

// SYS_CHANNEL_CALL when a thread waits in channel_call at the peer end and
// the message carries no handles: the request/reply exchange of a client and
// a server, or of two threads calling each other. It does what
// sys_channel_call does, in fewer steps: the message and the CPU go to the
// waiting thread directly (channel_hand_over, thread_block_and_run), and the
// reply is normally handed back the same way. Any other case, and any error,
// goes to the ordinary path before anything has changed.
int64_t channel_call_fast(int64_t h, int64_t info, int64_t buf, int64_t buf_len, int64_t handles) {
    struct thread *self = current;
    struct handle_table *table = &self->proc->handles;
    // handle_get for the case that matters: an open channel with both rights.
    if ((uint64_t)h - 1 >= table->capacity)
        goto slow;
    struct handle_entry *e = &table->entries[h - 1];
    if (!e->obj || e->obj->type != KOBJ_CHANNEL ||
        (e->rights & (RIGHT_READ | RIGHT_WRITE)) != (RIGHT_READ | RIGHT_WRITE))
        goto slow;
    struct channel *ch = (struct channel *)e->obj;
    struct thread *receiver = channel_waiting_caller(ch);
    // A message already waiting here is the answer to this call (the oldest
    // comes first): the general path sends and returns it at once.
    if (!receiver || !list_is_empty(&ch->queue) || self->killed || buf_len < 0 ||
        MSGINFO_HANDLES(info) != 0 || msginfo_check(info) < 0)
        goto slow;
    uint32_t len = MSGINFO_LEN(info);
    struct process *proc = self->proc;
    if (proc->mode == ISOLATION_IN_KERNEL && receiver->proc->vmspace == proc->vmspace &&
        len <= receiver->ipc_reply_len && user_range_ok((const void *)buf, len, PROT_READ) &&
        (len == 0 || vmspace_range_ok(proc->vmspace, receiver->proc,
                                      (vaddr_t)receiver->ipc_reply_buf, len, PROT_WRITE))) {
        // Both in the kernel's address space: copy straight into the
        // receiver's buffer, with no message buffer in between.
        memcpy(receiver->ipc_reply_buf, (const void *)buf, len);
        channel_hand_over_copied(ch, receiver, info);
    } else {
        struct message *msg = message_alloc(len);
        if (!msg)
            goto slow;
        if (copy_from_user(msg->data, (const void *)buf, len) < 0) {
            kfree(msg); // as message_from_user does: its info and handles are stale
            goto slow;
        }
        msg->info = info;
        channel_hand_over(ch, msg, receiver);
    }
    // Point of no return (passed above: nothing below fails).
    if (self->ipc_spare)
        message_drop_spare(); // the send did not need it; keep none while asleep
    syscall_count++;
    self->in_syscall = true;
    kobj_ref(&ch->obj); // another thread may close the handle while we sleep
    self->ipc_reply_buf = (void *)buf;
    self->ipc_reply_len = (size_t)buf_len;
    int err = thread_block_and_run(&ch->waiters, receiver);
    // Normally the reply was handed over the same way: take it here, inline
    // (channel_call_wait would too, a call further away).
    int64_t ret = ERR_EMPTY;
    if (err == 0 && self->ipc_has_copied)
        ret = channel_take_copied();
    else if (err == 0 && self->ipc_handed)
        ret = channel_take_handed(ch, (void *)buf, (size_t)buf_len);
    if (ret == ERR_EMPTY)
        ret = channel_call_wait(ch, (void *)buf, (size_t)buf_len, (handle_t *)handles, err);
    kobj_unref(&ch->obj);
    self->in_syscall = false;
    if (self->killed)
        thread_exit_current();
    return ret;
slow:
    return syscall_run(SYS_CHANNEL_CALL, h, info, buf, buf_len, handles, 0);
}
