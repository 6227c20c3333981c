// SPDX-License-Identifier: MIT
// The console: kernel log output (kept in a ring for log_read) and typed input as a pollable object.
#pragma once
#include "common.h"
#include "kobj.h"

struct console {
    struct kobj obj;
};

void console_init(void);
// The one console object (a new reference for the caller).
struct kobj *console_get(void);
uint32_t console_readiness(void);
// Removes up to len typed bytes into buf; returns how many.
size_t console_read(char *buf, size_t len);
// Writes to the console and the log ring.
void log_write(const char *s, size_t len);
// Copies log bytes from absolute offset, moved up to the oldest byte still
// kept (where the copy began goes to *copied_from); returns the count.
size_t log_read(char *buf, size_t len, uint64_t offset, uint64_t *copied_from);
