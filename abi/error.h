// SPDX-License-Identifier: MIT
// Error codes shared by the kernel, libraries and apps: every failure is one of these negatives.
#pragma once

#define ERR_NO_MEMORY    (-1)  // an allocation failed; nothing changed
#define ERR_BAD_HANDLE   (-2)  // the handle is not in the caller's table
#define ERR_NOT_ALLOWED  (-3)  // the handle lacks a right the call needs
#define ERR_INVALID_ARG  (-4)  // an argument is out of range or inconsistent
#define ERR_BAD_ADDR     (-5)  // a pointer argument does not point at the caller's memory
#define ERR_FULL         (-6)  // the peer's queue is full (backpressure); try again later
#define ERR_EMPTY        (-7)  // nothing to receive right now
#define ERR_CLOSED       (-8)  // the peer end is gone
#define ERR_TOO_LARGE    (-9)  // a message, size or count exceeds its limit
#define ERR_TOO_SMALL    (-10) // the caller's buffer cannot hold the result; nothing was consumed
#define ERR_TIMED_OUT    (-11) // the timeout passed before anything happened
#define ERR_NOT_SUPPORTED (-12) // the object or arch does not support this
#define ERR_IN_USE       (-13) // the resource is already taken (e.g. an IRQ)
#define ERR_NOT_FOUND    (-14) // no such entry
#define ERR_WRONG_TYPE   (-15) // the handle refers to an object of another type
#define ERR_BAD_SYSCALL  (-16) // unknown syscall number
#define ERR_UNEXPECTED   (-17) // a message that the protocol does not allow here
#define ERR_MAX_CODE     17

// The printable name of an error code ("ERR_FULL"), or "ERR_?" for an unknown one.
static inline const char *err_name(long err) {
    static const char *const names[] = {
        "OK", "ERR_NO_MEMORY", "ERR_BAD_HANDLE", "ERR_NOT_ALLOWED", "ERR_INVALID_ARG",
        "ERR_BAD_ADDR", "ERR_FULL", "ERR_EMPTY", "ERR_CLOSED", "ERR_TOO_LARGE",
        "ERR_TOO_SMALL", "ERR_TIMED_OUT", "ERR_NOT_SUPPORTED", "ERR_IN_USE",
        "ERR_NOT_FOUND", "ERR_WRONG_TYPE", "ERR_BAD_SYSCALL", "ERR_UNEXPECTED",
    };
    if (err > 0 || -err > ERR_MAX_CODE)
        return "ERR_?";
    return names[-err];
}
