// SPDX-License-Identifier: MIT
// The echo client: a few round trips of different sizes through the echo server, checked byte for byte.
#include <stellina/stellina.h>
#include <string.h>

static struct msg reply;
static uint8_t request[MSG_MAX_DATA];

// One round trip of `len` bytes; returns 0 or an ERR_* after logging what went wrong.
static int round_trip(handle_t echo, size_t len, uint8_t seed) {
    for (size_t i = 0; i < len; i++)
        request[i] = (uint8_t)(seed + i * 7);
    int r = ch_call(echo, MSG_DATA, request, len, &reply);
    if (r < 0) {
        log_error("call with %zu bytes: %s", len, err_name(r));
        return r;
    }
    if (reply.kind != MSG_DATA || reply.len != len || reply.nhandles != 0) {
        log_error("reply to %zu bytes: kind %u, %u bytes, %u handles", len, reply.kind, reply.len,
                  reply.nhandles);
        msg_close_handles(&reply);
        return ERR_UNEXPECTED;
    }
    for (size_t i = 0; i < len; i++) {
        if (reply.data[i] != request[i]) {
            log_error("reply to %zu bytes differs at byte %zu: %u != %u", len, i, reply.data[i],
                      request[i]);
            return ERR_UNEXPECTED;
        }
    }
    return 0;
}

int main(void) {
    static const size_t sizes[] = {1, 100, MSG_MAX_DATA, 0, 17};
    handle_t echo = env_handle("echo");
    if (echo < 0) {
        log_error("no \"echo\" channel in the environment");
        return 1;
    }
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
