// SPDX-License-Identifier: MIT
// Channels: two ends of a bidirectional pair of bounded message queues; sends are atomic.
#pragma once
#include "../../abi/message.h"
#include "common.h"
#include "kobj.h"
#include "thread.h"

// A queued message; handles travel as object references with their rights.
struct message {
    struct list_node node;
    msginfo_t info;
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
    struct wait_queue waiters; // threads in channel_call waiting for a reply here
};

// Creates a connected pair; each end has one reference. Returns 0 or ERR_NO_MEMORY.
MUST_CHECK int channel_create_pair(struct channel **a, struct channel **b);
void channel_destroy(struct kobj *obj);
uint32_t channel_readiness(struct channel *ch);
// Whether `ch` can take a message now: 0, ERR_CLOSED or ERR_FULL.
MUST_CHECK int channel_can_send(struct channel *ch);
// Queues msg (owned by the queue from now on) at ch's peer. The caller has
// checked channel_can_send; this cannot fail.
void channel_enqueue(struct channel *ch, struct message *msg);
// The oldest message sent to ch, still queued; NULL if none.
struct message *channel_peek(struct channel *ch);
// Dequeues the message channel_peek returned (the caller now owns it).
void channel_dequeue(struct channel *ch, struct message *msg);
// Frees a message and drops the references of the handles still in it.
void message_free(struct message *msg);

extern uint64_t ipc_messages_sent, ipc_messages_received;
