// SPDX-License-Identifier: MIT
// Host test of generated code: kitchen protocol encode/decode/call/dispatch and the kitchen app's startup.
// Built by tests/specgen/run.py with ASan+UBSan; argv[1] is the config blob specgen wrote (hex).
#include "host_stubs.h"
#include <apps/kitchen/startup.c>
#include <stdio.h>
#include <stdlib.h>

static int passed, failed;
static const char *current;
static bool current_failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond) && !current_failed) {                                           \
            printf("FAIL c: %s: line %d: %s\n", current, __LINE__, #cond);          \
            current_failed = true;                                                  \
        }                                                                           \
    } while (0)

static void begin(const char *name) {
    current = name;
    current_failed = false;
    stub_reset();
}

static void end(void) {
    if (current_failed) {
        failed++;
    } else {
        printf("PASS c: %s\n", current);
        passed++;
    }
}

static struct kitchen_all sample(void) {
    struct kitchen_all a;
    memset(&a, 0, sizeof(a));
    a.a8 = 0xfe;
    a.a16 = 0xbeef;
    a.a32 = 0xdeadbeef;
    a.a64 = 0x0123456789abcdefull;
    a.s32 = -123456;
    a.s64 = INT64_MIN;
    a.flag = true;
    strcpy(a.title, "sixteen chars ok");
    a.blob_len = 5;
    memcpy(a.blob, "\0\1\2\3\4", 5);
    a.ch = 42;
    strcpy(a.tail, "end");
    return a;
}

// Encodes `a` into a received-message shape.
static void to_msg(const struct kitchen_all *a, struct msg *m) {
    memset(m, 0, sizeof(*m));
    int len = kitchen_all_encode(a, m->data, sizeof(m->data), m->handles);
    m->kind = KITCHEN_ALL_KIND;
    m->len = len < 0 ? 0 : (uint32_t)len;
    m->nhandles = KITCHEN_ALL_HANDLES;
}

static struct msg m; // 4 KiB: static, like apps keep them

static void test_roundtrip(void) {
    begin("all fields round trip");
    struct kitchen_all a = sample(), b;
    to_msg(&a, &m);
    CHECK(m.len == 1 + 2 + 4 + 8 + 4 + 8 + 1 + (2 + 16) + (2 + 5) + (2 + 3));
    CHECK(kitchen_all_decode(&m, &b) == 0);
    CHECK(b.a8 == a.a8 && b.a16 == a.a16 && b.a32 == a.a32 && b.a64 == a.a64);
    CHECK(b.s32 == a.s32 && b.s64 == a.s64 && b.flag == a.flag && b.ch == 42);
    CHECK(strcmp(b.title, a.title) == 0 && strcmp(b.tail, "end") == 0);
    CHECK(b.blob_len == 5 && memcmp(b.blob, a.blob, 5) == 0);
    // Little-endian on the wire, whatever the host.
    CHECK(m.data[1] == 0xef && m.data[2] == 0xbe);
    end();

    begin("every truncation and a trailing byte are rejected");
    to_msg(&a, &m);
    uint32_t full = m.len;
    for (uint32_t len = 0; len < full; len++) {
        m.len = len;
        CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    }
    m.len = full + 1;
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    m.len = 100000; // a lying header must not make the decoder read past data[]
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    end();

    begin("kind, handle count, bool and string checks");
    to_msg(&a, &m);
    m.kind = KITCHEN_ACK_KIND;
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    to_msg(&a, &m);
    m.nhandles = 0;
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    m.nhandles = 2;
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    to_msg(&a, &m);
    m.data[27] = 2; // flag: offset 1+2+4+8+4+8
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    to_msg(&a, &m);
    m.data[30] = '\0'; // a NUL inside the title
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    to_msg(&a, &m);
    m.data[28] = 17; // title length over max_len
    CHECK(kitchen_all_decode(&m, &b) == ERR_INVALID_ARG);
    end();

    begin("encode refuses oversized strings and bytes");
    handle_t hs[1];
    a = sample();
    memset(a.title, 'x', sizeof(a.title)); // no NUL at all
    CHECK(kitchen_all_encode(&a, m.data, sizeof(m.data), hs) == ERR_TOO_LARGE);
    a = sample();
    a.blob_len = 41;
    CHECK(kitchen_all_encode(&a, m.data, sizeof(m.data), hs) == ERR_TOO_LARGE);
    a = sample();
    CHECK(kitchen_all_encode(&a, m.data, 10, hs) == ERR_TOO_LARGE); // buffer too small
    CHECK(kitchen_all_send(7, &a) == 0 && stub_sent_count == 1 && stub_sent.handles[0] == 42);
    end();

    begin("handles keep field order; empty messages work");
    struct kitchen_two_handles t = {.a = 5, .b = 9}, u;
    strcpy(t.name, "abc");
    CHECK(kitchen_two_handles_send(3, &t) == 0);
    CHECK(stub_sent.nhandles == 2 && stub_sent.handles[0] == 5 && stub_sent.handles[1] == 9);
    CHECK(kitchen_two_handles_decode(&stub_sent, &u) == 0 && u.a == 5 && u.b == 9);
    CHECK(strcmp(u.name, "abc") == 0);
    struct kitchen_empty e = {0}, e2;
    CHECK(kitchen_empty_send(3, &e) == 0 && stub_sent.len == 0 && stub_sent.kind == 0x2000);
    CHECK(kitchen_empty_decode(&stub_sent, &e2) == 0);
    stub_sent.len = 1;
    CHECK(kitchen_empty_decode(&stub_sent, &e2) == ERR_INVALID_ARG);
    end();
}

static int handled, handler_result;

static int on_all(void *ctx, handle_t ch, const struct kitchen_all *msg) {
    handled++;
    if (handler_result < 0)
        return handler_result;
    struct kitchen_ack ack = {.sum = msg->a64 + 1};
    return kitchen_ack_send(ch, &ack);
}

static void test_dispatch(void) {
    struct kitchen_handlers h = {.all = on_all};
    struct kitchen_all a = sample();

    begin("dispatch calls the handler, which replies");
    to_msg(&a, &m);
    handled = 0;
    handler_result = 0;
    CHECK(kitchen_dispatch(&h, NULL, 3, &m) == 0 && handled == 1);
    CHECK(stub_sent.kind == KITCHEN_ACK_KIND && stub_sent.len == 8);
    CHECK(stub_closed_count == 0);
    end();

    begin("a handler's error becomes MSG_ERROR");
    handler_result = ERR_FULL;
    CHECK(kitchen_dispatch(&h, NULL, 3, &m) == ERR_FULL);
    CHECK(stub_sent.kind == MSG_ERROR && wire_error_code(&stub_sent) == ERR_FULL);
    end();

    begin("malformed: MSG_ERROR answer, handles closed, no handler call");
    to_msg(&a, &m);
    m.len--;
    handled = 0;
    CHECK(kitchen_dispatch(&h, NULL, 3, &m) == ERR_INVALID_ARG && handled == 0);
    CHECK(stub_sent.kind == MSG_ERROR && wire_error_code(&stub_sent) == ERR_INVALID_ARG);
    CHECK(stub_was_closed(42));
    end();

    begin("unknown kind and missing handler: ERR_NOT_SUPPORTED");
    m.kind = 0x7777;
    CHECK(kitchen_dispatch(&h, NULL, 3, &m) == ERR_NOT_SUPPORTED);
    CHECK(wire_error_code(&stub_sent) == ERR_NOT_SUPPORTED);
    struct kitchen_two_handles t = {.a = 5, .b = 9};
    strcpy(t.name, "x");
    kitchen_two_handles_send(3, &t);
    memcpy(&m, &stub_sent, sizeof(m));
    stub_reset();
    CHECK(kitchen_dispatch(&h, NULL, 3, &m) == ERR_NOT_SUPPORTED);
    CHECK(stub_was_closed(5) && stub_was_closed(9));
    end();

    begin("an incoming MSG_ERROR is not answered");
    m.kind = MSG_ERROR;
    m.len = 4;
    m.nhandles = 0;
    CHECK(kitchen_dispatch(&h, NULL, 3, &m) == ERR_UNEXPECTED && stub_sent_count == 0);
    end();
}

static void test_call(void) {
    struct kitchen_all a = sample();
    struct kitchen_ack ack;

    begin("call decodes the reply");
    struct kitchen_ack want = {.sum = 77};
    stub_reply.kind = KITCHEN_ACK_KIND;
    stub_reply.len = (uint32_t)kitchen_ack_encode(&want, stub_reply.data, 64, NULL);
    stub_reply.nhandles = 0;
    CHECK(kitchen_all_call(3, &a, &ack) == 0 && ack.sum == 77);
    CHECK(stub_sent.kind == KITCHEN_ALL_KIND && stub_sent.handles[0] == 42);
    end();

    begin("call returns the server's MSG_ERROR");
    stub_reply.kind = MSG_ERROR;
    stub_reply.len = 4;
    int32_t err = ERR_FULL;
    memcpy(stub_reply.data, &err, 4);
    CHECK(kitchen_all_call(3, &a, &ack) == ERR_FULL);
    stub_reply.len = 3;
    CHECK(kitchen_all_call(3, &a, &ack) == ERR_UNEXPECTED);
    err = 5; // not an error code
    memcpy(stub_reply.data, &err, 4);
    stub_reply.len = 4;
    CHECK(kitchen_all_call(3, &a, &ack) == ERR_UNEXPECTED);
    end();

    begin("call: wrong kind or malformed reply closes its handles");
    stub_reply.kind = 0x999;
    stub_reply.nhandles = 1;
    stub_reply.handles[0] = 61;
    CHECK(kitchen_all_call(3, &a, &ack) == ERR_UNEXPECTED && stub_was_closed(61));
    stub_reset();
    stub_reply.kind = KITCHEN_ACK_KIND;
    stub_reply.len = 8;
    CHECK(kitchen_all_call(3, &a, &ack) == ERR_INVALID_ARG && stub_was_closed(61));
    stub_reset();
    stub_call_result = ERR_CLOSED;
    CHECK(kitchen_all_call(3, &a, &ack) == ERR_CLOSED);
    end();
}

static const struct kitchen_env *seen_env;

int app_main(const struct kitchen_env *e) {
    seen_env = e;
    return 7;
}

static struct start_info si;

static size_t unhex(const char *s, uint8_t *out, size_t max) {
    size_t n = 0;
    for (; s[0] && s[1] && n < max; s += 2) {
        char b[3] = {s[0], s[1], 0};
        out[n++] = (uint8_t)strtoul(b, NULL, 16);
    }
    return n;
}

static void test_startup(const char *hex) {
    static const struct stub_env full[] = {
        {"init", 3}, {"peer", 4}, {"nic.mmio", 5}, {"nic.irq", 6}, {NULL, 0}};
    static const struct stub_env no_irq[] = {{"init", 3}, {"peer", 4}, {"nic.mmio", 5}, {NULL, 0}};

    begin("startup decodes the environment and the config specgen wrote");
    memset(&si, 0, sizeof(si));
    si.console = 9;
    si.config_len = (uint32_t)unhex(hex, si.config, sizeof(si.config));
    stub_env_table = full;
    seen_env = NULL;
    CHECK(__app_start(&si) == 7 && seen_env);
    if (seen_env) {
        CHECK(seen_env->init == 3 && seen_env->peer == 4 && seen_env->maybe == 0);
        CHECK(seen_env->tty == 9 && seen_env->nic_mmio == 5 && seen_env->nic_irq == 6);
        CHECK(seen_env->port == 8080 && seen_env->small == -7);
        CHECK(seen_env->big == 1234567890123ull && seen_env->neg == INT64_MIN);
        CHECK(seen_env->verbose == true && strcmp(seen_env->greeting, "hello, world") == 0);
    }
    end();

    begin("startup: a missing handle exits with 2");
    stub_env_table = no_irq;
    seen_env = NULL;
    CHECK(__app_start(&si) == 2 && !seen_env && stub_log_count == 1);
    si.console = 0;
    stub_env_table = full;
    CHECK(__app_start(&si) == 2 && !seen_env);
    si.console = 9;
    end();

    begin("startup: every damaged config blob exits with 2");
    uint32_t len = si.config_len;
    CHECK(len > 12);
    for (uint32_t i = 0; i < len; i++) {
        si.config_len = i; // truncated
        CHECK(__app_start(&si) == 2);
    }
    si.config_len = len + 1; // trailing byte
    CHECK(__app_start(&si) == 2);
    si.config_len = len;
    si.config[5] ^= 1; // the schema hash: built for another app version
    CHECK(__app_start(&si) == 2);
    si.config[5] ^= 1;
    si.config[12] = 0; // port 0, below its min of 1
    si.config[13] = 0;
    CHECK(__app_start(&si) == 2);
    si.config_len = 100000;
    CHECK(__app_start(&si) == 2 && !seen_env);
    end();
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: roundtrip CONFIG_HEX\n");
        return 2;
    }
    test_roundtrip();
    test_dispatch();
    test_call();
    test_startup(argv[1]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
