// SPDX-License-Identifier: MIT
// What every app uses: its startup information, its environment and logging.
#pragma once
#include <stdarg.h>
#include <stellina/syscall.h>

// An app defines `int app_main(const struct <app>_env *env)` (declared in its
// generated <apps/<app>/env.h>, see docs/specs.md). The library's _start (in
// section .text.start) checks the start_info, selects the syscall gate,
// stores the start_info for the functions below and calls the generated
// __app_start, which receives and checks the environment (exit code 2 if it
// does not match the app's spec) and runs app_main. The process exits with
// its return value.
int __app_start(const struct start_info *si);

// The start_info the loader gave this app (valid for the app's whole life).
const struct start_info *app_start_info(void);
// The instance name ("echo"); never NULL.
const char *app_name(void);
// ISOLATION_IN_KERNEL or ISOLATION_USER.
uint32_t app_mode(void);
// The printable name of an isolation mode: "in-kernel", "user" or "unknown".
const char *app_mode_name(uint32_t mode);

// The handle of the first environment entry called `name`, or ERR_NOT_FOUND.
handle_t env_handle(const char *name);
// Iterates the environment entries called `name` (several may share a name,
// e.g. "client"). Set *cursor to 0 before the first call. Returns the next
// matching handle, or ERR_NOT_FOUND when there are no more.
handle_t env_next(const char *name, int *cursor);

// printf-style logging through SYS_LOG_WRITE; each call writes one line
// "<app>: <message>\n" (warn and error add "warning: " / "error: ").
// Lines longer than 1 KiB are cut.
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// Plain output through SYS_LOG_WRITE, no prefix and no newline added (the
// standard prototypes; lib/c's <stdio.h> may declare them too).
// printf returns the number of bytes written (output past 1 KiB is cut), or a negative ERR_*.
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
// Writes `s` and a newline. Returns 0 or a negative ERR_*.
int puts(const char *s);
// Writes `len` bytes as they are. Returns 0 or a negative ERR_*.
int write_out(const char *buf, size_t len);
