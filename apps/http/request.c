// SPDX-License-Identifier: MIT
// HTTP/1.1 request parsing: the request line and headers, strictly, within fixed limits.
//
// Nothing here allocates or trusts the input: every length is bounded by
// the buffer, and anything unexpected is an error status. Request bodies are
// not accepted (GET and HEAD have none): a body announced is answered 413.
#include "http.h"
#include <ctype.h>
#include <string.h>

#define METHOD_MAX 16

static bool is_tchar(char c) {
    return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool ieq(const char *a, size_t alen, const char *b) {
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    }
    return true;
}

// Checks what can be judged before the request line ends, so garbage and
// endless lines are answered at once instead of waiting for more bytes.
static int check_partial(const char *buf, size_t len) {
    size_t i = 0;
    while (i < len && buf[i] != ' ' && buf[i] != '\n') {
        if (!is_tchar(buf[i]) || i >= METHOD_MAX)
            return 400;
        i++;
    }
    const char *nl = memchr(buf, '\n', len);
    if (!nl && len > HTTP_TARGET_MAX + METHOD_MAX + 16)
        return 431; // a request line without an end
    return 0;
}

// Parses "METHOD SP target SP HTTP/1.x" (line without its CR LF).
static int parse_request_line(const char *line, size_t len, struct http_request *req) {
    const char *sp1 = memchr(line, ' ', len);
    if (!sp1 || sp1 == line || sp1 - line > METHOD_MAX)
        return 400;
    size_t mlen = (size_t)(sp1 - line);
    for (size_t i = 0; i < mlen; i++) {
        if (!is_tchar(line[i]))
            return 400;
    }
    const char *target = sp1 + 1;
    const char *end = line + len;
    const char *sp2 = memchr(target, ' ', (size_t)(end - target));
    if (!sp2 || sp2 == target)
        return 400;
    size_t tlen = (size_t)(sp2 - target);
    if (tlen >= HTTP_TARGET_MAX)
        return 431;
    if (target[0] != '/')
        return 400;
    for (size_t i = 0; i < tlen; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c >= 0x7f)
            return 400;
    }
    const char *ver = sp2 + 1;
    size_t vlen = (size_t)(end - ver);
    if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) != 0 || (ver[7] != '0' && ver[7] != '1'))
        return 400;
    memcpy(req->target, target, tlen);
    req->target[tlen] = '\0';
    req->http10 = ver[7] == '0';
    if (mlen == 3 && memcmp(line, "GET", 3) == 0)
        req->method = METHOD_GET;
    else if (mlen == 4 && memcmp(line, "HEAD", 4) == 0)
        req->method = METHOD_HEAD;
    else
        req->method = METHOD_OTHER;
    return 0;
}

// Parses a decimal Content-Length; -1 if it is not one.
static long long parse_length(const char *v, size_t len) {
    if (len == 0 || len > 18)
        return -1;
    long long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)v[i]))
            return -1;
        n = n * 10 + (v[i] - '0');
    }
    return n;
}

// Does the comma-separated header value contain `token`?
static bool has_token(const char *v, size_t len, const char *token) {
    size_t i = 0;
    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t start = i;
        while (i < len && v[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
            end--;
        if (end > start && ieq(v + start, end - start, token))
            return true;
    }
    return false;
}

int http_parse(const char *buf, size_t len, struct http_request *req) {
    int err = check_partial(buf, len);
    if (err)
        return err;
    // The header block ends with an empty line (CR LF, or a bare LF).
    size_t end = 0;
    for (size_t i = 0; i + 1 < len && !end; i++) {
        if (buf[i] == '\n' && buf[i + 1] == '\n')
            end = i + 2;
        else if (buf[i] == '\n' && buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
            end = i + 3;
    }
    if (!end)
        return len >= HTTP_HEADER_MAX ? 431 : 1;
    if (end > HTTP_HEADER_MAX)
        return 431;
    req->size = end;

    long long content_length = -2; // not given
    bool host = false, conn_close = false, conn_keep = false, chunked = false;
    int lines = 0;
    size_t pos = 0;
    while (pos < end) {
        const char *nl = memchr(buf + pos, '\n', end - pos);
        size_t line_len = (size_t)(nl - (buf + pos));
        const char *line = buf + pos;
        pos += line_len + 1;
        if (line_len && line[line_len - 1] == '\r')
            line_len--;
        for (size_t i = 0; i < line_len; i++) {
            if (line[i] == '\0' || line[i] == '\r')
                return 400; // stray NUL or CR inside a line
        }
        if (lines++ == 0) {
            if ((err = parse_request_line(line, line_len, req)) != 0)
                return err;
            continue;
        }
        if (line_len == 0)
            break; // the empty line
        if (lines > HTTP_HEADERS_MAX + 1)
            return 431;
        const char *colon = memchr(line, ':', line_len);
        if (!colon || colon == line)
            return 400;
        size_t nlen = (size_t)(colon - line);
        for (size_t i = 0; i < nlen; i++) {
            if (!is_tchar(line[i]))
                return 400; // also refuses folded (indented) lines
        }
        const char *v = colon + 1;
        size_t vlen = line_len - nlen - 1;
        while (vlen && (*v == ' ' || *v == '\t'))
            v++, vlen--;
        while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
            vlen--;
        if (ieq(line, nlen, "content-length")) {
            long long n = parse_length(v, vlen);
            if (n < 0 || (content_length != -2 && content_length != n))
                return 400; // malformed or conflicting lengths
            content_length = n;
        } else if (ieq(line, nlen, "transfer-encoding")) {
            chunked = true;
        } else if (ieq(line, nlen, "host")) {
            if (host)
                return 400;
            host = true;
        } else if (ieq(line, nlen, "connection")) {
            conn_close |= has_token(v, vlen, "close");
            conn_keep |= has_token(v, vlen, "keep-alive");
        }
    }
    if (chunked && content_length != -2)
        return 400; // both framings: a smuggling attempt
    if (!req->http10 && !host)
        return 400;
    if (chunked || content_length > 0)
        return 413; // no request bodies here
    req->keep_alive = req->http10 ? conn_keep && !conn_close : !conn_close;
    if (req->method == METHOD_OTHER)
        return 405;
    return 0;
}
