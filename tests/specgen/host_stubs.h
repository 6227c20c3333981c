// SPDX-License-Identifier: MIT
// Fake syscalls and library calls so generated protocol and startup code runs on the host (tests, fuzzing).
#pragma once
#include <stdbool.h>
#include <stellina/stellina.h>

// The last message a stub sent (sys_channel_send); `sent` counts them.
extern struct msg stub_sent;
extern int stub_sent_count;
// The reply the next sys_channel_call returns (its info is built from kind/len/nhandles),
// or stub_call_result if that is negative.
extern struct msg stub_reply;
extern int64_t stub_call_result;
// Handles closed through sys_handle_close since the last stub_reset.
extern int stub_closed_count;
extern handle_t stub_closed[64];
// The environment env_handle looks up: names and handles, terminated by a NULL name.
struct stub_env {
    const char *name;
    handle_t handle;
};
extern const struct stub_env *stub_env_table;
// Lines logged through log_error/log_warn since the last stub_reset.
extern int stub_log_count;

void stub_reset(void);
bool stub_was_closed(handle_t h);
