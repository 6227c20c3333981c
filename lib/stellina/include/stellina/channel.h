// SPDX-License-Identifier: MIT
// Typed channel helpers: messages as a struct instead of packed msginfo words.
#pragma once
#include <stdbool.h>
#include <stellina/syscall.h>

// A whole message: what ch_recv fills and ch_call returns. 4 KiB of data:
// keep it static or on the heap rather than on a small stack.
struct msg {
    uint32_t kind;
    uint32_t len;      // bytes used in data[]
    uint32_t nhandles; // handles used in handles[]; the receiver owns them
    handle_t handles[MSG_MAX_HANDLES];
    // Word-aligned: the kernel and the decoders copy it a word at a time.
    uint8_t data[MSG_MAX_DATA] __attribute__((aligned(8)));
};

// Creates a channel; *a and *b receive its two ends. Returns 0 or an ERR_*.
int ch_create(handle_t *a, handle_t *b);
// Sends a message of `kind` with `len` bytes of `data` and moves `nhandles`
// handles (the caller loses them only on success). Returns 0, ERR_TOO_LARGE
// (len > MSG_MAX_DATA or nhandles > MSG_MAX_HANDLES, checked before the
// kernel is asked), ERR_FULL (nothing sent: retry later), ERR_CLOSED, ...
int ch_send(handle_t ch, uint32_t kind, const void *data, size_t len, const handle_t *handles,
            size_t nhandles);
// Sends a MSG_DATA message with `len` bytes and no handles. Returns as ch_send.
int ch_send_data(handle_t ch, const void *data, size_t len);
// Sends a MSG_ERROR message carrying the int32 `err`. Returns as ch_send.
int ch_send_error(handle_t ch, int32_t err);
// Receives the next message into *m without blocking. Returns 0, ERR_EMPTY
// (nothing queued) or ERR_CLOSED (nothing queued and the peer is gone).
// The received handles belong to the caller (close them or keep them).
int ch_recv(handle_t ch, struct msg *m);
// Sends a request of `kind` with `len` bytes of `data` (no handles), waits
// for the next message on `ch` and receives it into *reply. `data` may point
// into reply->data. Returns 0 or an ERR_* (the reply kind may be MSG_ERROR).
int ch_call(handle_t ch, uint32_t kind, const void *data, size_t len, struct msg *reply);
// Closes every handle a received message carried and sets nhandles to 0.
void msg_close_handles(struct msg *m);
// The error code of a MSG_ERROR message, or ERR_UNEXPECTED if *m is not a
// well-formed one (wrong kind or length).
int32_t msg_error_code(const struct msg *m);
