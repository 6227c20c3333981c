// SPDX-License-Identifier: MIT
// A byte ring buffer addressed by absolute offsets since creation (for the kernel log and console
// input).
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Bytes are numbered from 0 at creation: `start` is the number of the oldest
// byte still held and `end` the number the next written byte will get, so
// end - start bytes are held (at most capacity). The storage belongs to the
// caller. Not locked: the kernel runs with interrupts disabled.
struct ringbuf {
    uint8_t *buf;
    size_t capacity;
    uint64_t start;
    uint64_t end;
};

void ringbuf_init(struct ringbuf *rb, void *storage, size_t capacity);
static inline size_t ringbuf_used(const struct ringbuf *rb) {
    return (size_t)(rb->end - rb->start);
}
static inline size_t ringbuf_space(const struct ringbuf *rb) {
    return rb->capacity - ringbuf_used(rb);
}
// Appends all of data, dropping the oldest bytes to make room (a log). If len
// exceeds the capacity only the last `capacity` bytes are kept, but `end`
// still advances by len.
void ringbuf_write_overwrite(struct ringbuf *rb, const void *data, size_t len);
// Appends as much of data as fits without dropping anything (an input
// queue). Returns the bytes appended: 0 when full.
size_t ringbuf_write(struct ringbuf *rb, const void *data, size_t len);
// Removes up to len of the oldest bytes into out. Returns the bytes removed.
size_t ringbuf_read(struct ringbuf *rb, void *out, size_t len);
// Copies up to len bytes starting at absolute byte `offset`, without removing
// them. An offset older than what is still held is moved up to `start` (the
// caller learns where the copy began from *copied_from, if not NULL); an
// offset at or past `end` copies nothing. Returns the bytes copied.
size_t ringbuf_read_at(const struct ringbuf *rb, uint64_t offset, void *out, size_t len,
                       uint64_t *copied_from);
