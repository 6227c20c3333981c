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
// A buffer for a message of `len` data bytes (len <= MSG_MAX_DATA): the
// current thread's spare if big enough, else a new allocation. The caller
// owns it and fills info, handles and data; NULL if out of memory.
struct message *message_alloc(uint32_t len);
// Queues msg (owned by the queue from now on) at ch's peer. The caller has
// checked channel_can_send; this cannot fail.
void channel_enqueue(struct channel *ch, struct message *msg);
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
void message_recycle(struct message *msg);
// Frees the current thread's spare buffer, if any (see message_recycle).
void message_drop_spare(void);
// Frees a message and drops the references of the handles still in it.
void message_free(struct message *msg);

extern uint64_t ipc_messages_sent, ipc_messages_received;
