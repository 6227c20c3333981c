// SPDX-License-Identifier: MIT
// The in-QEMU test suite's driver: runs every test in the table and reports in the runner's format.
#include "autotest.h"
#include <stdio.h>

// Output protocol (parsed by the host test runner): one line per test,
// "TEST PASS <name>" or "TEST FAIL <name>: <detail>", then
// "AUTOTEST DONE: <P> passed, <F> failed".

struct test {
    const char *name;
    void (*fn)(void);
};

#define AUTOTEST_ENTRY(name) {#name, test_##name},
static const struct test tests[] = {AUTOTEST_LIST(AUTOTEST_ENTRY)};

static bool failed;
static char detail[256];

uint8_t test_buf[MSG_MAX_DATA + 64];
handle_t test_handles[MSG_MAX_HANDLES];

void test_fail(const char *file, int line, const char *fmt, ...) {
    if (failed)
        return;
    failed = true;
    const char *base = strrchr(file, '/');
    int n = snprintf(detail, sizeof(detail), "%s:%d: ", base ? base + 1 : file, line);
    if (n < 0 || (size_t)n >= sizeof(detail))
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail + n, sizeof(detail) - (size_t)n, fmt, ap);
    va_end(ap);
    // The runner reads one line per test.
    for (char *p = detail; *p; p++) {
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
}

const char *res_name(int64_t r) {
    if (r < 0)
        return err_name(r);
    return r == 0 ? "OK" : "value";
}

int64_t new_channel(handle_t *a, handle_t *b) {
    return ch_create(a, b);
}

int sleep_ns(int64_t ns) {
    int64_t t = sys_timer_create();
    if (t < 0)
        return (int)t;
    int64_t p = sys_poll_create();
    int64_t r = p;
    if (p >= 0) {
        r = timer_after((handle_t)t, ns);
        if (r == 0)
            r = sys_poll_add((handle_t)p, (handle_t)t, POLL_READABLE, 0);
        if (r == 0) {
            struct poll_event ev;
            // Bounded: a timer that never fires is reported, not waited for forever.
            r = sys_poll_wait((handle_t)p, &ev, 1, ns + SOON_NS);
            r = r == 1 ? 0 : r < 0 ? r : ERR_UNEXPECTED;
        }
        sys_handle_close((handle_t)p);
    }
    sys_handle_close((handle_t)t);
    return (int)r;
}

uint64_t mem_free_pages(void) {
    struct sysinfo_mem m;
    if (sys_sysinfo(SYSINFO_MEM, &m, sizeof(m)) < (int64_t)sizeof(m))
        return 0;
    return m.free_pages;
}

bool handle_is_open(handle_t h) {
    // A dup with no rights at all is always a subset; close it right away.
    int64_t d = sys_handle_dup(h, 0);
    if (d > 0)
        sys_handle_close((handle_t)d);
    // A handle without RIGHT_DUP is still open if the kernel says "not allowed".
    return d > 0 || d == ERR_NOT_ALLOWED;
}

int64_t send_bytes(handle_t ch, uint8_t byte, size_t len) {
    static uint8_t data[MSG_MAX_DATA];
    memset(data, byte, len);
    return sys_channel_send(ch, MSGINFO(MSG_DATA, len, 0), data, NULL);
}

int app_main(const struct autotest_env *env) {
    printf("autotest: mode %s\n", app_mode_name(app_mode()));
    int passed = 0, nfailed = 0;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        failed = false;
        detail[0] = '\0';
        tests[i].fn();
        if (failed) {
            printf("TEST FAIL %s: %s\n", tests[i].name, detail);
            nfailed++;
        } else {
            printf("TEST PASS %s\n", tests[i].name);
            passed++;
        }
    }
    printf("AUTOTEST DONE: %d passed, %d failed\n", passed, nfailed);
    return nfailed == 0 ? 0 : 1;
}
