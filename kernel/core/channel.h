// SPDX-License-Identifier: MIT
// Channels: two ends of a bidirectional pair of bounded message queues; sends are atomic.
#pragma once
#include "../../abi/message.h"
#include "common.h"
#include "kobj.h"
#include "thread.h"

// A queued message; handles travel as object references with their rights.
// Only info, handles[0..n) and rights[0..n) (n = MSGINFO_HANDLES(info)) and
// the first MSGINFO_LEN(info) data bytes are meaningful: a recycled buffer
// is not zeroed.
struct message {
    struct list_node node;
    msginfo_t info;
    uint32_t capacity; // data bytes the buffer holds (0 if unknown: kmalloc'ed elsewhere)
    struct kobj *handles[MSG_MAX_HANDLES];
    uint32_t rights[MSG_MAX_HANDLES];
    uint8_t data[];
};

// Messages queued and dequeued so far; channel_call fast paths that handed
// their message over (each a syscall, a message sent and one received), and
// handed messages the receiver did not take but queued (channel_requeue).
// SYSINFO_IPC adds them up: one counter on the fast path instead of four.
// ipc_handoffs holds those of exited threads only: a live thread counts its
// own in thread->ipc_handoffs.
extern uint64_t ipc_messages_sent, ipc_messages_received, ipc_handoffs, ipc_handoffs_requeued;

#define CHANNEL_QUEUE_MAX 64 // messages waiting at one end before senders get ERR_FULL

struct channel {
    struct kobj obj;
    struct channel *peer;      // NULL once the other end is gone (no reference: see channel_destroy)
    struct list queue;         // messages sent to this end, oldest first
    uint32_t queue_len;
    // Channel ends carried by the messages queued here. An end with any is
    // never transferred: every reference cycle (an end queued, directly or
    // not, at itself) would need such a transfer, and a cycle is never freed.
    uint32_t channels_queued;
    struct wait_queue waiters; // threads in channel_call waiting for a reply here
};

// A channel end that was never connected: no peer, no queue, no waiters.
// What a handle table's call_hit names when it names nothing.
extern struct channel channel_unconnected;

// How many of the handles a message carries are channel ends.
uint32_t message_channel_count(const struct message *msg);

// Received buffers with more data bytes than this are freed, not kept as a
// thread's spare (see message_recycle).
#define MESSAGE_SPARE_MAX 2048

// Creates a connected pair; each end has one reference. Returns 0 or ERR_NO_MEMORY.
MUST_CHECK int channel_create_pair(struct channel **a, struct channel **b);
void channel_destroy(struct kobj *obj);
uint32_t channel_readiness(struct channel *ch);
// Whether `ch` can take a message now: 0, ERR_CLOSED or ERR_FULL.
// (This and channel_peek are inline: every message goes through them.)
MUST_CHECK static inline int channel_can_send(struct channel *ch) {
    if (!ch->peer)
        return ERR_CLOSED;
    if (ch->peer->queue_len >= CHANNEL_QUEUE_MAX)
        return ERR_FULL;
    return 0;
}
// message_alloc without a spare that fits: a new buffer, or NULL.
struct message *message_alloc_new(uint32_t len);
// A buffer for a message of `len` data bytes (len <= MSG_MAX_DATA): the
// current thread's spare if big enough, else a new allocation. The caller
// owns it and fills info, handles and data; NULL if out of memory.
ALWAYS_INLINE struct message *message_alloc(uint32_t len) {
    struct message *msg = current->ipc_spare;
    if (msg && msg->capacity >= len) {
        current->ipc_spare = NULL;
        return msg;
    }
    return message_alloc_new(len);
}
// Queues msg (owned by the queue from now on) at ch's peer. The caller has
// checked channel_can_send; this cannot fail.
void channel_enqueue(struct channel *ch, struct message *msg);
// The thread that has waited longest in channel_call at ch's peer end, or
// NULL. A message sent to that end can be handed to it directly.
ALWAYS_INLINE struct thread *channel_waiting_caller(struct channel *ch) {
    if (!ch->peer || list_is_empty(&ch->peer->waiters.threads))
        return NULL;
    return LIST_CONTAINER(ch->peer->waiters.threads.head.next, struct thread, wait_node);
}
// Gives msg, which carries no handles, to `receiver` (what
// channel_waiting_caller(ch) returned) instead of queueing it at ch's peer:
// the receiver takes it from its ipc_handed when it runs, which the caller
// makes happen at once (thread_block_and_run), before any other thread runs.
// The receiver is not woken here. Cannot fail. Counts nothing: the caller
// (channel_call_handoff) counts the handoff.
ALWAYS_INLINE void channel_hand_over(struct channel *ch, struct message *msg,
                                     struct thread *receiver) {
    ASSERT(MSGINFO_HANDLES(msg->info) == 0 && !receiver->ipc_handed);
    // A thread waits in channel_call only while its end's queue is empty, so
    // handing this message over overtakes none.
    ASSERT(ch->peer && list_is_empty(&ch->peer->queue));
    receiver->ipc_handed = msg;
}
// Marks thread->ipc_copied: a message was copied into its reply buffer.
// Bit 63 is reserved in a msginfo (MSGINFO_RESERVED), so no msginfo is 0
// with it: one word says both whether there is a message and its msginfo.
#define IPC_COPIED (1ull << 63)
// Queues at ch a handed message its receiver did not take (its buffer was
// too small, say), at the front, as if it had been queued when sent: the
// ordinary receive then reports the error and leaves it queued. It counts
// as queued, no longer as handed over.
void channel_requeue(struct channel *ch, struct message *msg);
// The oldest message sent to ch, still queued; NULL if none.
static inline struct message *channel_peek(struct channel *ch) {
    struct list_node *n = list_front(&ch->queue);
    return n ? LIST_CONTAINER(n, struct message, node) : NULL;
}
// Dequeues the message channel_peek returned (the caller now owns it).
void channel_dequeue(struct channel *ch, struct message *msg);
// Disposes of a message the current thread has just received: drops the
// handles still in it and keeps the buffer as the thread's spare, to carry
// its next message (a reply, typically), or frees it. So a request/reply
// exchange allocates nothing. A thread keeps its spare only while it goes
// on with IPC: message_drop_spare frees it when it does anything else.
// message_recycle for messages with handles, or when a spare is kept already.
void message_recycle_slow(struct message *msg);
ALWAYS_INLINE void message_recycle(struct message *msg) {
    // The common case inline: no handles, no spare yet, a buffer worth keeping.
    if (MSGINFO_HANDLES(msg->info) == 0 && !current->ipc_spare &&
        msg->capacity <= MESSAGE_SPARE_MAX)
        current->ipc_spare = msg;
    else
        message_recycle_slow(msg);
}
// Frees the current thread's spare buffer, if any (see message_recycle).
void message_drop_spare(void);
// Frees a message and drops the references of the handles still in it.
void message_free(struct message *msg);
