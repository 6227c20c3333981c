// SPDX-License-Identifier: MIT
// Logging and plain output through SYS_LOG_WRITE: one syscall per line so lines do not interleave.
#include <stellina/app.h>
#include <stdio.h>
#include <string.h>

#define LOG_LINE_MAX 1024

int write_out(const char *buf, size_t len) {
    int64_t r = sys_log_write(buf, len);
    return r < 0 ? (int)r : 0;
}

int vprintf(const char *fmt, va_list ap) {
    char buf[LOG_LINE_MAX];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return ERR_INVALID_ARG;
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    int r = write_out(buf, len);
    return r < 0 ? r : (int)len;
}

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vprintf(fmt, ap);
    va_end(ap);
    return r;
}

int puts(const char *s) {
    size_t len = strlen(s);
    char buf[LOG_LINE_MAX];
    if (len < sizeof(buf)) {
        memcpy(buf, s, len);
        buf[len] = '\n';
        return write_out(buf, len + 1);
    }
    int r = write_out(s, len);
    return r < 0 ? r : write_out("\n", 1);
}

// Builds "<app>: <level><message>\n" and writes it with one syscall.
static void log_line(const char *level, const char *fmt, va_list ap) {
    char buf[LOG_LINE_MAX];
    int p = snprintf(buf, sizeof(buf), "%s: %s", app_name(), level);
    if (p < 0 || (size_t)p >= sizeof(buf) - 1)
        p = 0;
    int n = vsnprintf(buf + p, sizeof(buf) - (size_t)p - 1, fmt, ap);
    size_t len = (size_t)p;
    if (n > 0)
        len += (size_t)n < sizeof(buf) - (size_t)p - 1 ? (size_t)n : sizeof(buf) - (size_t)p - 2;
    buf[len++] = '\n';
    write_out(buf, len);
}

void log_info(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_line("", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_line("warning: ", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_line("error: ", fmt, ap);
    va_end(ap);
}
