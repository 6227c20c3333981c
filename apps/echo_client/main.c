// SPDX-License-Identifier: MIT
// The echo client: a few round trips of different sizes through the echo server, checked byte for byte.
#include <apps/echo_client/env.h>
#include <protocols/echo.h>
#include <string.h>

static struct echo_ping request;
static struct echo_pong reply;

// One round trip of `len` bytes; returns 0 or an ERR_* after logging what went wrong.
static int round_trip(handle_t echo, size_t len, uint8_t seed) {
    for (size_t i = 0; i < len; i++)
        request.data[i] = (uint8_t)(seed + i * 7);
    request.data_len = (uint16_t)len;
    int r = echo_ping_call(echo, &request, &reply);
    if (r < 0) {
        log_error("call with %zu bytes: %s", len, err_name(r));
        return r;
    }
    if (reply.data_len != len) {
        log_error("reply to %zu bytes has %u bytes", len, reply.data_len);
        return ERR_UNEXPECTED;
    }
    for (size_t i = 0; i < len; i++) {
        if (reply.data[i] != request.data[i]) {
            log_error("reply to %zu bytes differs at byte %zu: %u != %u", len, i, reply.data[i],
                      request.data[i]);
            return ERR_UNEXPECTED;
        }
    }
    return 0;
}

int app_main(const struct echo_client_env *env) {
    // The largest ping fills a whole message: 2 bytes of length, 4094 of data.
    static const size_t sizes[] = {1, 100, ECHO_PING_MAX_LEN - 2, 0, 17};
    handle_t echo = env->echo;
    int ok = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        if (round_trip(echo, sizes[i], (uint8_t)(i * 31 + 1)) < 0)
            break;
        ok++;
    }
    int total = (int)(sizeof(sizes) / sizeof(sizes[0]));
    if (ok != total) {
        log_error("%d of %d round trips ok", ok, total);
        return 1;
    }
    log_info("%d round trips ok", ok);
    sys_handle_close(echo);
    return 0;
}
