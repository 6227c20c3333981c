// SPDX-License-Identifier: MIT
// Channels: two ends of a bidirectional pair of bounded message queues; sends are atomic.
#include "channel.h"
#include "kmalloc.h"

uint64_t ipc_messages_sent, ipc_messages_received;

static struct channel *channel_alloc(void) {
    struct channel *ch = kmalloc(sizeof(*ch));
    if (!ch)
        return NULL;
    kobj_init(&ch->obj, KOBJ_CHANNEL);
    list_init(&ch->queue);
    wait_queue_init(&ch->waiters);
    return ch;
}

int channel_create_pair(struct channel **a, struct channel **b) {
    struct channel *x = channel_alloc();
    struct channel *y = channel_alloc();
    if (!x || !y) {
        kfree(x);
        kfree(y);
        return ERR_NO_MEMORY;
    }
    x->peer = y;
    y->peer = x;
    *a = x;
    *b = y;
    return 0;
}

void message_free(struct message *msg) {
    for (uint32_t i = 0; i < MSGINFO_HANDLES(msg->info); i++) {
        if (msg->handles[i])
            kobj_unref(msg->handles[i]);
    }
    kfree(msg);
}

// The last reference to this end is gone. The peer does not hold a reference
// to us (that would keep both ends alive forever), so unhook it here.
void channel_destroy(struct kobj *obj) {
    struct channel *ch = (struct channel *)obj;
    struct list_node *n;
    ASSERT(list_is_empty(&ch->waiters.threads));
    // Handles queued here may include channels whose destroy touches other
    // channels; detach from the peer first so it sees a consistent state.
    struct channel *peer = ch->peer;
    if (peer) {
        peer->peer = NULL;
        ch->peer = NULL;
        wait_queue_wake_all(&peer->waiters);
        kobj_notify(&peer->obj);
    }
    while ((n = list_pop_front(&ch->queue)) != NULL)
        message_free(LIST_CONTAINER(n, struct message, node));
    kfree(ch);
}

uint32_t channel_readiness(struct channel *ch) {
    uint32_t r = 0;
    if (!list_is_empty(&ch->queue))
        r |= POLL_READABLE;
    if (!ch->peer)
        r |= POLL_CLOSED;
    else if (ch->peer->queue_len < CHANNEL_QUEUE_MAX)
        r |= POLL_WRITABLE;
    return r;
}

int channel_can_send(struct channel *ch) {
    if (!ch->peer)
        return ERR_CLOSED;
    if (ch->peer->queue_len >= CHANNEL_QUEUE_MAX)
        return ERR_FULL;
    return 0;
}

void channel_enqueue(struct channel *ch, struct message *msg) {
    struct channel *peer = ch->peer;
    ASSERT(peer && peer->queue_len < CHANNEL_QUEUE_MAX);
    list_push_back(&peer->queue, &msg->node);
    peer->queue_len++;
    ipc_messages_sent++;
    wait_queue_wake_all(&peer->waiters);
    kobj_notify(&peer->obj);
}

struct message *channel_peek(struct channel *ch) {
    struct list_node *n = list_front(&ch->queue);
    return n ? LIST_CONTAINER(n, struct message, node) : NULL;
}

void channel_dequeue(struct channel *ch, struct message *msg) {
    list_remove(&msg->node);
    ch->queue_len--;
    ipc_messages_received++;
    if (ch->peer)
        kobj_notify(&ch->peer->obj); // the sender may be writable again
}
