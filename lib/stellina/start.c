// SPDX-License-Identifier: MIT
// App startup (_start) and the environment: what the loader handed this app.
#include <stellina/app.h>
#include <string.h>

static const struct start_info *start_si;

// The loader calls this with the stack set up and relocations applied. It
// must be first in the image (section .text.start, see mk/app.ld).
__attribute__((section(".text.start"), noreturn, used)) void _start(struct start_info *si) {
    if (!si || si->magic != START_INFO_MAGIC) {
        // Without a valid start_info there is no gate to trust: try the trap,
        // which is right in user mode, and never return.
        sys_set_gate(0);
        sys_process_exit(1);
    }
    sys_set_gate(si->gate);
    start_si = si;
    // The generated startup code (build/.../gen/apps/<app>/startup.c) checks
    // the environment against app.toml and calls the app's app_main.
    int ret = __app_start(si);
    sys_process_exit(ret);
}

const struct start_info *app_start_info(void) {
    return start_si;
}

const char *app_name(void) {
    // The loader NUL-pads name[]; a name that fills it has no NUL, so the
    // last byte is cut rather than read past.
    static char name[START_NAME_MAX];
    if (!name[0] && start_si)
        strlcpy(name, start_si->name, sizeof(name));
    return name[0] ? name : "app";
}

uint32_t app_mode(void) {
    return start_si ? start_si->mode : ISOLATION_IN_KERNEL;
}

const char *app_mode_name(uint32_t mode) {
    switch (mode) {
    case ISOLATION_IN_KERNEL:
        return "in-kernel";
    case ISOLATION_USER:
        return "user";
    default:
        return "unknown";
    }
}

// Env names are NUL-padded to START_NAME_MAX and may fill it without a NUL.
static int env_name_is(const struct start_env_handle *e, const char *name) {
    size_t n = strnlen(name, START_NAME_MAX + 1);
    if (n > START_NAME_MAX)
        return 0;
    return strncmp(e->name, name, n) == 0 && (n == START_NAME_MAX || e->name[n] == '\0');
}

handle_t env_next(const char *name, int *cursor) {
    if (!start_si || !name || !cursor || *cursor < 0)
        return ERR_NOT_FOUND;
    uint32_t num = start_si->num_env;
    if (num > START_ENV_MAX)
        num = START_ENV_MAX;
    for (uint32_t i = (uint32_t)*cursor; i < num; i++) {
        if (env_name_is(&start_si->env[i], name)) {
            *cursor = (int)i + 1;
            return start_si->env[i].handle;
        }
    }
    *cursor = (int)num;
    return ERR_NOT_FOUND;
}

handle_t env_handle(const char *name) {
    int cursor = 0;
    return env_next(name, &cursor);
}
