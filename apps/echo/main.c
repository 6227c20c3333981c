// SPDX-License-Identifier: MIT
// The echo server: every message a client sends comes back to it unchanged.
#include <stellina/server.h>
#include <stellina/stellina.h>

// One buffer is enough: the loop runs one callback at a time.
static struct msg msg;

static void on_client(struct loop *loop, handle_t ch, uint32_t events, void *arg) {
    int r = ch_recv(ch, &msg);
    if (r == ERR_EMPTY)
        return;
    if (r < 0) {
        // ERR_CLOSED comes only after every queued message was read.
        if (r == ERR_CLOSED)
            log_info("client %d closed", ch);
        else
            log_warn("client %d dropped: %s", ch, err_name(r));
        loop_remove(loop, ch);
        sys_handle_close(ch);
        return;
    }
    if (msg.nhandles > 0) {
        // Echoing handles back would hand them out again; refuse instead.
        log_warn("message with %u handles refused", msg.nhandles);
        msg_close_handles(&msg);
        r = ch_send_error(ch, ERR_UNEXPECTED);
    } else {
        r = ch_send(ch, msg.kind, msg.data, msg.len, NULL, 0);
    }
    if (r < 0)
        log_warn("reply to %d dropped: %s", ch, err_name(r)); // the client stopped reading
}

int main(void) {
    struct loop loop;
    int r = loop_init(&loop);
    if (r < 0) {
        log_error("loop_init: %s", err_name(r));
        return 1;
    }
    r = loop_serve(&loop, on_client, NULL);
    if (r < 0) {
        log_error("loop_serve: %s", err_name(r));
        return 1;
    }
    log_info("ready");
    r = loop_run(&loop);
    loop_destroy(&loop);
    return r < 0 ? 1 : 0;
}
