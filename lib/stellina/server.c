// SPDX-License-Identifier: MIT
// Serving clients: init hands a server each new client's channel in a MSG_CONNECT on its "init" channel.
#include <stellina/stellina.h>
#include <stellina/server.h>
#include <string.h>

// The callbacks: one per protocol (loop_serve_protocol), and one for any
// other protocol (loop_serve; on_client NULL while there is none).
struct served {
    char protocol[START_NAME_MAX];
    loop_fn on_client;
    void *arg;
};
static struct served served[SERVE_PROTOCOLS_MAX];
static int num_served;
static struct served any_protocol;
static struct loop *init_loop; // the loop watching "init", once one is

// The callback for a client of `protocol` (len bytes): its own, else loop_serve's.
static const struct served *served_for(const char *protocol, size_t len) {
    for (int i = 0; i < num_served; i++) {
        if (strlen(served[i].protocol) == len && memcmp(served[i].protocol, protocol, len) == 0)
            return &served[i];
    }
    return any_protocol.on_client ? &any_protocol : NULL;
}

static void on_init_message(struct loop *loop, handle_t init, uint32_t events, void *arg) {
    static struct msg m;
    int r = ch_recv(init, &m);
    if (r == ERR_EMPTY)
        return;
    if (r < 0) {
        loop_remove(loop, init); // init never goes away; nothing more will come
        return;
    }
    if (m.kind != MSG_CONNECT || m.nhandles != 1) {
        log_warn("unexpected message kind %u from init dropped", m.kind);
        msg_close_handles(&m);
        return;
    }
    // "<protocol> <client>"
    const char *data = (const char *)m.data;
    const char *space = memchr(data, ' ', m.len);
    size_t plen = space ? (size_t)(space - data) : m.len;
    handle_t ch = m.handles[0];
    const struct served *s = served_for(data, plen);
    r = s ? loop_add(loop, ch, POLL_READABLE, s->on_client, s->arg) : ERR_NOT_SUPPORTED;
    if (r < 0) {
        log_warn("client %.*s refused: %s", (int)m.len, data, err_name(r));
        sys_handle_close(ch);
    }
}

// Watches "init" in `loop` (once).
static int watch_init(struct loop *loop) {
    if (init_loop)
        return 0;
    handle_t init = env_handle("init");
    if (init < 0)
        return init;
    int err = loop_add(loop, init, POLL_READABLE, on_init_message, NULL);
    if (err == 0)
        init_loop = loop;
    return err;
}

int loop_serve(struct loop *loop, loop_fn on_client, void *arg) {
    int err = watch_init(loop);
    if (err == 0)
        any_protocol = (struct served){.on_client = on_client, .arg = arg};
    return err;
}

int loop_serve_protocol(struct loop *loop, const char *protocol, loop_fn on_client, void *arg) {
    if (!protocol[0] || strlen(protocol) >= START_NAME_MAX)
        return ERR_INVALID_ARG;
    if (num_served == SERVE_PROTOCOLS_MAX)
        return ERR_NO_MEMORY;
    int err = watch_init(loop);
    if (err < 0)
        return err;
    struct served *s = &served[num_served++];
    strlcpy(s->protocol, protocol, sizeof(s->protocol));
    s->on_client = on_client;
    s->arg = arg;
    return 0;
}
