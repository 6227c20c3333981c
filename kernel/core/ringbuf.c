// SPDX-License-Identifier: MIT
// The byte ring buffer: copies in at most two pieces around the wrap point.
#include "ringbuf.h"
#include <string.h>

void ringbuf_init(struct ringbuf *rb, void *storage, size_t capacity) {
    rb->buf = storage;
    rb->capacity = capacity;
    rb->start = 0;
    rb->end = 0;
}

// Copies len bytes (len <= capacity) to the ring position of absolute offset `at`.
static void copy_in(struct ringbuf *rb, uint64_t at, const uint8_t *src, size_t len) {
    size_t pos = (size_t)(at % rb->capacity);
    size_t first = len < rb->capacity - pos ? len : rb->capacity - pos;
    memcpy(rb->buf + pos, src, first);
    memcpy(rb->buf, src + first, len - first);
}

static void copy_out(const struct ringbuf *rb, uint64_t at, uint8_t *dst, size_t len) {
    size_t pos = (size_t)(at % rb->capacity);
    size_t first = len < rb->capacity - pos ? len : rb->capacity - pos;
    memcpy(dst, rb->buf + pos, first);
    memcpy(dst + first, rb->buf, len - first);
}

void ringbuf_write_overwrite(struct ringbuf *rb, const void *data, size_t len) {
    if (rb->capacity == 0)
        return;
    const uint8_t *src = data;
    if (len > rb->capacity) {
        // Only the tail survives: skip what would be overwritten anyway.
        size_t skip = len - rb->capacity;
        rb->end += skip;
        src += skip;
        len = rb->capacity;
    }
    copy_in(rb, rb->end, src, len);
    rb->end += len;
    if (rb->end - rb->start > rb->capacity)
        rb->start = rb->end - rb->capacity;
}

size_t ringbuf_write(struct ringbuf *rb, const void *data, size_t len) {
    size_t n = len < ringbuf_space(rb) ? len : ringbuf_space(rb);
    if (n == 0)
        return 0;
    copy_in(rb, rb->end, data, n);
    rb->end += n;
    return n;
}

size_t ringbuf_read(struct ringbuf *rb, void *out, size_t len) {
    size_t n = len < ringbuf_used(rb) ? len : ringbuf_used(rb);
    if (n == 0)
        return 0;
    copy_out(rb, rb->start, out, n);
    rb->start += n;
    return n;
}

size_t ringbuf_read_at(const struct ringbuf *rb, uint64_t offset, void *out, size_t len,
                       uint64_t *copied_from) {
    if (offset < rb->start)
        offset = rb->start;
    if (copied_from != NULL)
        *copied_from = offset;
    if (offset >= rb->end)
        return 0;
    size_t avail = (size_t)(rb->end - offset);
    size_t n = len < avail ? len : avail;
    copy_out(rb, offset, out, n);
    return n;
}
