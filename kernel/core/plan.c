// SPDX-License-Identifier: MIT
// The boot plan's lines, parsed strictly: specgen writes them, so anything else
// (a word it never writes, a name too long to keep, a bad digit) is an error,
// never a guess.
#include "plan.h"
#include <string.h>

#define WORDS_MAX 8 // one more than any line has, to tell "too many"

// Splits line into at most max space-separated words (in place).
static int split_words(char *line, char **words, int max) {
    int n = 0;
    for (char *p = line; *p && n < max;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        words[n++] = p;
        while (*p && *p != ' ')
            p++;
    }
    return n;
}

static bool name_ok(const char *s, size_t max) {
    size_t len = strlen(s);
    return len >= 1 && len <= max;
}

// "0" or "1" into *out.
static bool flag(const char *s, bool *out) {
    if ((s[0] != '0' && s[0] != '1') || s[1])
        return false;
    *out = s[0] == '1';
    return true;
}

static int hex_digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static const char *parse_instance(char **w, struct plan_line *out) {
    if (!name_ok(w[1], PLAN_NAME_MAX) || !name_ok(w[2], PLAN_NAME_MAX))
        return "instance: a name or app name is empty or too long";
    out->instance.app = w[2];
    if (strcmp(w[3], "user") == 0)
        out->instance.mode = ISOLATION_USER;
    else if (strcmp(w[3], "in-kernel") == 0)
        out->instance.mode = ISOLATION_IN_KERNEL;
    else
        return "instance: the mode is neither in-kernel nor user";
    if (strcmp(w[4], "always") == 0)
        out->instance.restart = PLAN_RESTART_ALWAYS;
    else if (strcmp(w[4], "on-failure") == 0)
        out->instance.restart = PLAN_RESTART_ON_FAILURE;
    else if (strcmp(w[4], "never") == 0)
        out->instance.restart = PLAN_RESTART_NEVER;
    else
        return "instance: the restart policy is none of always, on-failure, never";
    if (!flag(w[5], &out->instance.shutdown_on_exit) || !flag(w[6], &out->instance.console))
        return "instance: shutdown_on_exit and console must be 0 or 1";
    return NULL;
}

static const char *parse_env(char **w, struct plan_line *out) {
    if (!name_ok(w[1], PLAN_NAME_MAX) || !name_ok(w[2], PLAN_NAME_MAX) ||
        !name_ok(w[3], PLAN_NAME_MAX) || !name_ok(w[4], PLAN_NAME_MAX))
        return "env: a name is empty or too long";
    out->env.env_name = w[2];
    out->env.server = w[3];
    out->env.protocol = w[4];
    return NULL;
}

static const char *parse_config(char **w, struct plan_line *out) {
    char *hex = w[2];
    size_t hex_len = strlen(hex);
    if (!name_ok(w[1], PLAN_NAME_MAX))
        return "config: the instance name is empty or too long";
    if (hex_len % 2 || hex_len / 2 > START_CONFIG_MAX)
        return "config: the blob is not whole bytes, or longer than START_CONFIG_MAX";
    // Decoded over the hex itself: byte i is written after digits 2i and 2i+1 are read.
    uint8_t *bytes = (uint8_t *)hex;
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return "config: the blob has a character that is not a lowercase hex digit";
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    out->config.bytes = bytes;
    out->config.len = (uint32_t)(hex_len / 2);
    return NULL;
}

static const char *parse_device(char **w, struct plan_line *out) {
    if (!name_ok(w[1], PLAN_NAME_MAX) || !name_ok(w[2], PLAN_DEVICE_ENV_MAX) ||
        !name_ok(w[3], PLAN_COMPATIBLE_MAX))
        return "device: a name or the compatible string is empty or too long";
    uint32_t id = 0;
    const char *p = w[4];
    for (; *p >= '0' && *p <= '9' && id <= PLAN_VIRTIO_ID_MAX; p++)
        id = id * 10 + (uint32_t)(*p - '0');
    if (*p || id > PLAN_VIRTIO_ID_MAX)
        return "device: the virtio device id is not a number up to 65535";
    out->device.env_name = w[2];
    out->device.compatible = w[3];
    out->device.virtio_id = id;
    return NULL;
}

const char *plan_parse_line(char *line, struct plan_line *out) {
    static const struct {
        const char *word;
        enum plan_kind kind;
        int words;
        const char *(*parse)(char **w, struct plan_line *out);
    } kinds[] = {
        {"instance", PLAN_INSTANCE, 7, parse_instance},
        {"env", PLAN_ENV, 5, parse_env},
        {"config", PLAN_CONFIG, 3, parse_config},
        {"device", PLAN_DEVICE, 5, parse_device},
    };
    memset(out, 0, sizeof(*out));
    char *w[WORDS_MAX];
    int n = split_words(line, w, WORDS_MAX);
    if (n == 0)
        return NULL; // PLAN_EMPTY
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(w[0], kinds[i].word) != 0)
            continue;
        if (n != kinds[i].words)
            return "wrong number of words for its kind";
        out->kind = kinds[i].kind;
        out->name = w[1];
        const char *err = kinds[i].parse(w, out);
        if (err)
            out->kind = PLAN_EMPTY;
        return err;
    }
    return "unknown kind of line (instance, env, config or device)";
}

bool plan_next(struct plan_reader *r, struct plan_line *out, const char **err) {
    *err = NULL;
    while (r->pos < r->size) {
        size_t len = 0;
        r->line_no++;
        while (r->pos < r->size && r->text[r->pos] != '\n') {
            if (len == sizeof(r->line) - 1) {
                *err = "longer than PLAN_LINE_MAX";
                return false;
            }
            if (r->text[r->pos] == '\0') { // it would end the line early
                *err = "a NUL byte";
                return false;
            }
            r->line[len++] = r->text[r->pos++];
        }
        r->pos++; // the newline
        r->line[len] = '\0';
        *err = plan_parse_line(r->line, out);
        if (*err)
            return false;
        if (out->kind != PLAN_EMPTY)
            return true;
    }
    return false;
}

const char *plan_check(struct plan_reader *r) {
    char names[PLAN_MAX_INSTANCES][START_NAME_MAX];
    bool configured[PLAN_MAX_INSTANCES] = {0};
    int instances = 0, wires = 0, devices = 0;
    struct plan_line pl;
    const char *err;
    while (plan_next(r, &pl, &err)) {
        int found = -1, server = -1;
        for (int i = 0; i < instances; i++) {
            if (strcmp(names[i], pl.name) == 0)
                found = i;
            if (pl.kind == PLAN_ENV && strcmp(names[i], pl.env.server) == 0)
                server = i;
        }
        if (pl.kind == PLAN_INSTANCE) {
            if (found >= 0)
                return "an instance of that name exists already";
            if (instances == PLAN_MAX_INSTANCES)
                return "more instances than PLAN_MAX_INSTANCES";
            memcpy(names[instances++], pl.name, strlen(pl.name) + 1); // checked: it fits
            continue;
        }
        if (found < 0 || (pl.kind == PLAN_ENV && server < 0))
            return "no instance of that name (instances come first)";
        if (pl.kind == PLAN_CONFIG && configured[found])
            return "a second config line for the instance";
        configured[found] |= pl.kind == PLAN_CONFIG;
        if ((pl.kind == PLAN_ENV && ++wires > PLAN_MAX_WIRES) ||
            (pl.kind == PLAN_DEVICE && ++devices > PLAN_MAX_WIRES))
            return "more env or device lines than PLAN_MAX_WIRES";
    }
    return err;
}
