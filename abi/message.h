// SPDX-License-Identifier: MIT
// The message header (msginfo), message limits and the built-in message kinds.
#pragma once
#include <stdint.h>
#include "error.h"

#define MSG_MAX_DATA    4096
#define MSG_MAX_HANDLES 4

// msginfo packs a message's header into one positive int64 so that it travels
// in a register: bits 0..12 data length, bits 16..18 handle count, bits
// 32..62 kind. Bits 13..15, 19..31 and 63 must be zero.
typedef int64_t msginfo_t;
#define MSGINFO(kind, len, nhandles) \
    ((msginfo_t)(((uint64_t)(kind) << 32) | ((uint64_t)(nhandles) << 16) | (uint64_t)(len)))
#define MSGINFO_KIND(mi)     ((uint32_t)(((uint64_t)(mi) >> 32) & 0x7fffffff))
#define MSGINFO_LEN(mi)      ((uint32_t)((uint64_t)(mi) & 0x1fff))
#define MSGINFO_HANDLES(mi)  ((uint32_t)(((uint64_t)(mi) >> 16) & 0x7))
#define MSGINFO_RESERVED     ((uint64_t)0x80000000fff8e000ull)

// Built-in kinds understood by every component; protocol specs number theirs
// from MSG_KIND_PROTOCOL_BASE up.
#define MSG_OPEN        1 // data: a URI ("tcp-listen:0.0.0.0:80"); reply: MSG_OPEN_REPLY with a channel
#define MSG_OPEN_REPLY  2 // handles[0]: the opened channel
#define MSG_DATA        3 // data: bytes of a stream
#define MSG_ERROR       4 // data: int32 error code (an ERR_*)
#define MSG_CLOSE       5 // no data: the sender is done with the stream
#define MSG_CONNECT     6 // from init on a server's "init" channel: handles[0] is a new client's
                          // channel; data "<protocol> <client instance>" (not NUL-terminated):
                          // the protocol the client speaks on it, and who the client is
#define MSG_KIND_PROTOCOL_BASE 0x100

// Checks a header before anything uses it: 0, ERR_INVALID_ARG if reserved
// bits are set, ERR_TOO_LARGE if the length or handle count is over the limit.
static inline int msginfo_check(msginfo_t info) {
    if ((uint64_t)info & MSGINFO_RESERVED)
        return ERR_INVALID_ARG;
    if (MSGINFO_LEN(info) > MSG_MAX_DATA || MSGINFO_HANDLES(info) > MSG_MAX_HANDLES)
        return ERR_TOO_LARGE;
    return 0;
}
