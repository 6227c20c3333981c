// SPDX-License-Identifier: MIT
// Fake syscalls and library calls so generated protocol and startup code runs on the host (tests, fuzzing).
#include "host_stubs.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct msg stub_sent;
int stub_sent_count;
struct msg stub_reply;
int64_t stub_call_result;
int stub_closed_count;
handle_t stub_closed[64];
const struct stub_env *stub_env_table;
int stub_log_count;
// Set by the fuzzer: logging millions of lines would drown it.
int stub_quiet;

void stub_reset(void) {
    memset(&stub_sent, 0, sizeof(stub_sent));
    stub_sent_count = 0;
    stub_call_result = 0;
    stub_closed_count = 0;
    stub_log_count = 0;
}

bool stub_was_closed(handle_t h) {
    for (int i = 0; i < stub_closed_count && i < 64; i++) {
        if (stub_closed[i] == h)
            return true;
    }
    return false;
}

int64_t sys_channel_send(handle_t ch, msginfo_t info, const void *data, const handle_t *handles) {
    if (msginfo_check(info) < 0)
        return ERR_TOO_LARGE;
    stub_sent.kind = MSGINFO_KIND(info);
    stub_sent.len = MSGINFO_LEN(info);
    stub_sent.nhandles = MSGINFO_HANDLES(info);
    if (stub_sent.len)
        memcpy(stub_sent.data, data, stub_sent.len);
    if (stub_sent.nhandles)
        memcpy(stub_sent.handles, handles, stub_sent.nhandles * sizeof(handle_t));
    stub_sent_count++;
    return 0;
}

int64_t sys_channel_call(handle_t ch, msginfo_t info, void *buf, size_t buf_len, handle_t *handles) {
    int64_t r = sys_channel_send(ch, info, buf, handles);
    if (r < 0)
        return r;
    if (stub_call_result < 0)
        return stub_call_result;
    if (stub_reply.len > buf_len)
        return ERR_TOO_SMALL;
    memcpy(buf, stub_reply.data, stub_reply.len);
    memcpy(handles, stub_reply.handles, sizeof(stub_reply.handles));
    return MSGINFO(stub_reply.kind, stub_reply.len, stub_reply.nhandles);
}

int64_t sys_handle_close(handle_t h) {
    if (stub_closed_count < 64)
        stub_closed[stub_closed_count] = h;
    stub_closed_count++;
    return 0;
}

int ch_recv(handle_t ch, struct msg *m) {
    return ERR_CLOSED;
}

int loop_remove(struct loop *loop, handle_t h) {
    return 0;
}

handle_t env_handle(const char *name) {
    for (const struct stub_env *e = stub_env_table; e && e->name; e++) {
        if (strcmp(e->name, name) == 0)
            return e->handle;
    }
    return ERR_NOT_FOUND;
}

static void stub_log(const char *fmt, va_list ap) {
    stub_log_count++;
    if (stub_quiet)
        return;
    fputs("  log: ", stdout);
    vprintf(fmt, ap);
    fputs("\n", stdout);
}

void log_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    stub_log(fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    stub_log(fmt, ap);
    va_end(ap);
}
