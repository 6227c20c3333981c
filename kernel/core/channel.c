// SPDX-License-Identifier: MIT
// Channels: two ends of a bidirectional pair of bounded message queues; sends are atomic.
#include "channel.h"
#include "kmalloc.h"

uint64_t ipc_messages_sent, ipc_messages_received, ipc_handoffs, ipc_handoffs_requeued;

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

// Small messages get a buffer of this many data bytes, so that the spare
// left by one serves the next even if it is a little longer.
#define MESSAGE_MIN_CAPACITY 64

struct message *message_alloc_new(uint32_t len) {
    uint32_t capacity = MAX(len, MESSAGE_MIN_CAPACITY);
    struct message *msg = kmalloc(sizeof(*msg) + capacity);
    if (msg)
        msg->capacity = capacity;
    return msg;
}

// Drops the references of the handles still in msg, and forgets them: the
// buffer may be kept as a spare, whose stale header must not drop them twice.
static void message_drop_handles(struct message *msg) {
    for (uint32_t i = 0; i < MSGINFO_HANDLES(msg->info); i++) {
        if (msg->handles[i])
            kobj_unref(msg->handles[i]);
        msg->handles[i] = NULL;
    }
}

void message_free(struct message *msg) {
    message_drop_handles(msg);
    kfree(msg);
}

void message_recycle_slow(struct message *msg) {
    message_drop_handles(msg);
    // Keep the bigger of the two buffers: it can carry more of what comes.
    struct message *spare = current->ipc_spare;
    if (msg->capacity <= MESSAGE_SPARE_MAX && (!spare || spare->capacity < msg->capacity)) {
        current->ipc_spare = msg;
        msg = spare;
    }
    if (msg)
        kfree(msg);
}

void message_drop_spare(void) {
    // A spare holds no handles (message_recycle dropped them): just memory.
    kfree(current->ipc_spare);
    current->ipc_spare = NULL;
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

uint32_t message_channel_count(const struct message *msg) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < MSGINFO_HANDLES(msg->info); i++)
        n += msg->handles[i] && msg->handles[i]->type == KOBJ_CHANNEL;
    return n;
}

// Puts msg at the front or the back of end's queue and tells whoever waits.
static void queue_insert(struct channel *end, struct message *msg, bool front) {
    ASSERT(end->queue_len < CHANNEL_QUEUE_MAX);
    list_insert_before(front ? end->queue.head.next : &end->queue.head, &msg->node);
    end->queue_len++;
    end->channels_queued += message_channel_count(msg);
    wait_queue_wake_all(&end->waiters);
    // Readiness is level-triggered: only the first message makes the end
    // READABLE; with messages already queued no poller can be waiting for it.
    if (end->queue_len == 1)
        kobj_notify(&end->obj);
}

void channel_enqueue(struct channel *ch, struct message *msg) {
    ASSERT(ch->peer);
    queue_insert(ch->peer, msg, false);
    ipc_messages_sent++;
}

void channel_requeue(struct channel *ch, struct message *msg) {
    queue_insert(ch, msg, true);
    ipc_handoffs_requeued++;
    ipc_messages_sent++;
}

void channel_dequeue(struct channel *ch, struct message *msg) {
    list_remove(&msg->node);
    ch->queue_len--;
    ch->channels_queued -= message_channel_count(msg); // called before its handles move out
    ipc_messages_received++;
    // The sender's end becomes WRITABLE again only when the queue leaves full.
    if (ch->peer && ch->queue_len == CHANNEL_QUEUE_MAX - 1)
        kobj_notify(&ch->peer->obj);
}
