// SPDX-License-Identifier: MIT
// libFuzzer target: the HTTP server's request parser (apps/http/request.c) on
// any bytes a client may send. Besides ASan and UBSan it checks what the
// server relies on:
//   - the result is 0 (a request), 1 (more bytes needed) or an error status
//     the server answers (400, 405, 413, 431);
//   - it asks for more bytes only while the header block may still fit
//     (HTTP_HEADER_MAX), so no client makes the server buffer forever;
//   - a request found takes no more than the input, names a target that is
//     a NUL-terminated path, and is the same request when parsed from its
//     own bytes alone (the bytes after it, a pipelined next request, change
//     nothing);
//   - a request cut anywhere before its end asks for more bytes: TCP may
//     deliver it in any pieces, and no piece may be refused.
#include "apps/http/http.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...)                                                                      \
    do {                                                                               \
        fprintf(stderr, "http_request fuzz: " __VA_ARGS__);                            \
        fputc('\n', stderr);                                                           \
        abort();                                                                       \
    } while (0)

// Parses a copy of data[0..len) in a buffer of exactly len bytes, so that
// ASan sees any read past what the parser was given.
static int parse(const uint8_t *data, size_t len, struct http_request *req) {
    char *buf = malloc(len ? len : 1);
    if (!buf)
        abort();
    memcpy(buf, data, len);
    memset(req, 0xa5, sizeof(*req)); // whatever the parser leaves unset is garbage
    int r = http_parse(buf, len, req);
    free(buf);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len) {
    struct http_request req, again;
    int r = parse(data, len, &req);
    if (r != 0 && r != 1 && r != 400 && r != 405 && r != 413 && r != 431)
        FAIL("result %d", r);
    if (r == 1 && len >= HTTP_HEADER_MAX)
        FAIL("asks for more bytes after %zu", len);
    if (r != 0)
        return 0;
    if (req.size == 0 || req.size > len)
        FAIL("request size %zu of %zu bytes", req.size, len);
    size_t tlen = strnlen(req.target, sizeof(req.target));
    if (tlen == sizeof(req.target) || req.target[0] != '/')
        FAIL("target not a NUL-terminated path");
    if (req.method != METHOD_GET && req.method != METHOD_HEAD)
        FAIL("request with method %d", (int)req.method);
    if (parse(data, req.size, &again) != 0 || again.size != req.size ||
        again.method != req.method || again.http10 != req.http10 ||
        again.keep_alive != req.keep_alive || strcmp(again.target, req.target) != 0)
        FAIL("the request's own %zu bytes parse differently", req.size);
    // Cuts: just before the end, in the middle, and one chosen by the input.
    size_t cuts[] = {req.size - 1, req.size / 2, (data[0] * 31u + data[len - 1]) % req.size};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        int c = parse(data, cuts[i], &again);
        if (c != 1)
            FAIL("the first %zu of the request's %zu bytes give %d, not 1", cuts[i], req.size, c);
    }
    return 0;
}
