// SPDX-License-Identifier: MIT
// The echo server: answers every ping of the echo protocol with a pong of the same bytes.
#include <apps/echo/env.h>
#include <protocols/echo.h>
#include <string.h>

// One reply buffer is enough: the loop runs one callback at a time.
static struct echo_pong pong;

static int on_ping(void *ctx, handle_t ch, const struct echo_ping *ping) {
    pong.data_len = ping->data_len;
    memcpy(pong.data, ping->data, ping->data_len);
    int r = echo_pong_send(ch, &pong);
    if (r < 0)
        log_warn("reply to %d dropped: %s", ch, err_name(r)); // the client stopped reading
    return 0;
}

// The client is gone (all it sent was answered); tests count these lines.
static void on_close(void *ctx, handle_t ch) {
    log_info("client %d closed", ch);
}

// Malformed messages, unknown kinds (and a pong sent to us) are answered with
// MSG_ERROR by the generated dispatcher; they never reach on_ping.
static const struct echo_handlers handlers = {.ping = on_ping};
static struct echo_server server = {.handlers = &handlers, .on_close = on_close};

int app_main(const struct echo_env *env) {
    struct loop loop;
    int r = loop_init(&loop);
    if (r < 0) {
        log_error("loop_init: %s", err_name(r));
        return 1;
    }
    r = loop_serve(&loop, echo_loop_fn, &server);
    if (r < 0) {
        log_error("loop_serve: %s", err_name(r));
        return 1;
    }
    log_info("ready");
    r = loop_run(&loop);
    loop_destroy(&loop);
    return r < 0 ? 1 : 0;
}
