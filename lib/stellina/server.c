// SPDX-License-Identifier: MIT
// Serving clients: init hands a server each new client's channel in a MSG_CONNECT on its "init" channel.
#include <stellina/stellina.h>
#include <stellina/server.h>
#include <string.h>

// A callback for the clients of one protocol ("" for loop_serve's: any protocol).
struct served {
    char protocol[START_NAME_MAX];
    loop_fn on_client;
    void *arg;
};
static struct served served[SERVE_PROTOCOLS_MAX + 1];
static int num_served;
static struct loop *init_loop; // the loop watching "init", once one is

// The callback for a client of `protocol` (len bytes): its own, else the default.
static const struct served *served_for(const char *protocol, size_t len) {
    const struct served *any = NULL;
    for (int i = 0; i < num_served; i++) {
        if (!served[i].protocol[0])
            any = &served[i];
        else if (strlen(served[i].protocol) == len && memcmp(served[i].protocol, protocol, len) == 0)
            return &served[i];
    }
    return any;
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

static int serve(struct loop *loop, const char *protocol, loop_fn on_client, void *arg) {
    if (num_served == SERVE_PROTOCOLS_MAX + 1 || strlen(protocol) >= START_NAME_MAX)
        return ERR_NO_MEMORY;
    if (!init_loop) {
        handle_t init = env_handle("init");
        if (init < 0)
            return init;
        int err = loop_add(loop, init, POLL_READABLE, on_init_message, NULL);
        if (err < 0)
            return err;
        init_loop = loop;
    }
    struct served *s = &served[num_served++];
    strlcpy(s->protocol, protocol, sizeof(s->protocol));
    s->on_client = on_client;
    s->arg = arg;
    return 0;
}

int loop_serve(struct loop *loop, loop_fn on_client, void *arg) {
    return serve(loop, "", on_client, arg);
}

int loop_serve_protocol(struct loop *loop, const char *protocol, loop_fn on_client, void *arg) {
    return protocol[0] ? serve(loop, protocol, on_client, arg) : ERR_INVALID_ARG;
}
