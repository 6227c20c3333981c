// SPDX-License-Identifier: MIT
// Serving clients: init hands a server each new client's channel in a MSG_CONNECT on its "init" channel.
#include <stellina/stellina.h>
#include <stellina/server.h>

static loop_fn client_fn;
static void *client_arg;

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
    handle_t ch = m.handles[0];
    r = loop_add(loop, ch, POLL_READABLE, client_fn, client_arg);
    if (r < 0) {
        log_warn("client %.*s refused: %s", (int)m.len, (const char *)m.data, err_name(r));
        sys_handle_close(ch);
    }
}

int loop_serve(struct loop *loop, loop_fn on_client, void *arg) {
    handle_t init = env_handle("init");
    if (init < 0)
        return init;
    client_fn = on_client;
    client_arg = arg;
    return loop_add(loop, init, POLL_READABLE, on_init_message, NULL);
}
