// SPDX-License-Identifier: MIT
// The unit-test runner: runs every registered test (or those named on the command line) and
// reports.
#include "harness.h"
#include <stdarg.h>
#include <string.h>

static struct unit_test *first, **last = &first;
static bool current_failed;
static char current_message[1024];

void harness_register(struct unit_test *t) {
    // Append, so tests run in the order they are written.
    t->next = NULL;
    *last = t;
    last = &t->next;
}

void harness_fail(const char *file, int line, const char *fmt, ...) {
    if (current_failed)
        return;
    current_failed = true;
    int n = snprintf(current_message, sizeof(current_message), "%s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(current_message + n, sizeof(current_message) - (size_t)n, fmt, ap);
    va_end(ap);
}

bool harness_streq(const char *a, const char *b) {
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

bool harness_memeq(const void *a, const void *b, size_t n) {
    return memcmp(a, b, n) == 0;
}

static bool selected(const char *name, int argc, char **argv) {
    if (argc <= 1)
        return true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0)
            return true;
    }
    return false;
}

int main(int argc, char **argv) {
    // Line-buffered: a crash mid-test still leaves every earlier line in the log.
    setvbuf(stdout, NULL, _IOLBF, 0);
    int passed = 0, failed = 0;
    for (struct unit_test *t = first; t != NULL; t = t->next) {
        if (!selected(t->name, argc, argv))
            continue;
        current_failed = false;
        host_panic_armed = false;
        t->fn();
        if (host_panic_armed) {
            host_panic_armed = false;
            harness_fail(__FILE__, __LINE__, "panic catcher left armed");
        }
        if (current_failed) {
            printf("FAIL %s: %s\n", t->name, current_message);
            failed++;
        } else {
            printf("PASS %s\n", t->name);
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0 ? 1 : 0;
}
