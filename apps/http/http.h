// SPDX-License-Identifier: MIT
// The HTTP server's internal interfaces: request parsing (request.c) and the site (site.c).
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct msg;

#define HTTP_HEADER_MAX   8192 // bytes of request line + headers, else 431
#define HTTP_HEADERS_MAX  64   // header lines, else 431
#define HTTP_TARGET_MAX   1024 // request target bytes, else 431 (part of the header limit)

enum http_method { METHOD_GET, METHOD_HEAD, METHOD_OTHER };

struct http_request {
    enum http_method method;
    char target[HTTP_TARGET_MAX];
    bool http10;        // HTTP/1.0 (closes by default)
    bool keep_alive;    // after the response, read the next request
    size_t size;        // bytes the request took in the input buffer
};

// Parses the request at the start of buf[0..len). Returns 0 and fills *req
// when a whole header block is there, 1 if more bytes are needed, or the
// HTTP status code of the error to answer (400, 405, 413, 431); after an
// error the connection is closed.
int http_parse(const char *buf, size_t len, struct http_request *req);

// What a response waits for: nothing, or the tcpip server's answer to the
// request site_respond sent it (answers come in the order of the requests).
enum http_wait { WAIT_NONE, WAIT_STATUS, WAIT_DNS };

// A response being sent: a header block, then a body from memory or generated.
struct http_response {
    char head[512];
    size_t head_len;
    const uint8_t *body;  // the body, or NULL for a generated one (pattern)
    uint8_t *owned;       // body memory to free when done (malloc'd), or NULL
    uint64_t body_len;    // bytes to send after the header (0 for HEAD)
    uint64_t sent;        // bytes sent so far, header included
    bool pattern;         // body byte i is http_pattern_byte(i)
    char text[320];       // a short body of this response's own (error, DNS answer)
    // While wait != WAIT_NONE: what the response is made of once tcpip answers.
    enum http_wait wait;
    bool keep_alive, head_only;
    char dns_name[256];
};

// The response to a parsed request (status, headers, body), keep-alive or not.
// For /api/status and /api/dns it sends the tcpip server a request and sets
// res->wait: the response is made by site_complete with the answer. With
// may_wait false (no room to wait) those answer 503 at once.
void site_respond(const struct http_request *req, struct http_response *res, bool may_wait);
// Makes the response that waited (res->wait) from the tcpip server's answer.
void site_complete(struct http_response *res, const struct msg *answer);
// The response to a request that failed to parse with `status`; always closes.
void site_error(int status, struct http_response *res);
// The byte at offset i of the /bytes/<n> test resource.
static inline uint8_t http_pattern_byte(uint64_t i) {
    return (uint8_t)(i % 251);
}

// main.c: counters for the status page.
struct http_stats {
    uint64_t requests, connections;
    uint32_t active;
};
extern struct http_stats http_stats;
extern int64_t http_tcpip; // the tcpip channel (status and DNS requests)
