// SPDX-License-Identifier: MIT
// The boot plan's lines, each parsed and checked on its own (init.c reads the plan).
#pragma once
#include "../../abi/startinfo.h"
#include "common.h"

// The line kinds (docs/specs.md, "The boot plan"):
//   instance <name> <app> <in-kernel|user> <always|on-failure|never> <shutdown_on_exit 0|1> <console 0|1>
//   env <instance> <env-name> <server-instance> <protocol>
//   config <instance> <hex bytes>
//   device <instance> <env-name> <compatible> <virtio device id, 0: any>
enum plan_kind { PLAN_EMPTY, PLAN_INSTANCE, PLAN_ENV, PLAN_CONFIG, PLAN_DEVICE };
enum plan_restart { PLAN_RESTART_NEVER, PLAN_RESTART_ON_FAILURE, PLAN_RESTART_ALWAYS };

#define PLAN_MAX_INSTANCES 32
#define PLAN_MAX_WIRES 64   // env lines, and device lines
#define PLAN_LINE_MAX (2 * START_CONFIG_MAX + 64) // a config line carries the blob in hex
#define PLAN_NAME_MAX (START_NAME_MAX - 1) // instance, app, env and protocol names
// A device's env name, so that "<name>.mmio" is a name too.
#define PLAN_DEVICE_ENV_MAX (PLAN_NAME_MAX - 5)
#define PLAN_COMPATIBLE_MAX 23
#define PLAN_VIRTIO_ID_MAX 65535

// One line. Its strings point into the line, which parsing splits in place;
// `name` is the instance the line defines or is about.
struct plan_line {
    enum plan_kind kind;
    const char *name;
    union {
        struct {
            const char *app;
            uint32_t mode; // ISOLATION_*
            enum plan_restart restart;
            bool shutdown_on_exit, console;
        } instance;
        struct {
            const char *env_name, *server, *protocol;
        } env;
        struct {
            const uint8_t *bytes; // decoded over the hex, in the line
            uint32_t len;         // at most START_CONFIG_MAX
        } config;
        struct {
            const char *env_name, *compatible;
            uint32_t virtio_id;
        } device;
    };
};

// Parses one NUL-terminated line (words separated by spaces), in place.
// Returns NULL with *out filled (kind PLAN_EMPTY for a blank line), or what
// is wrong with the line. Checks each line alone: whether the instances it
// names exist is the reader's to check.
const char *plan_parse_line(char *line, struct plan_line *out);

// Reads a plan line by line: set text and size, the rest zero.
struct plan_reader {
    const char *text;
    size_t size, pos;
    int line_no; // of the line read last, from 1
    char line[PLAN_LINE_MAX];
};
// Reads and parses the next line that is not empty: true with *out filled;
// false at the end (*err NULL) or at a bad line (*err says why; r->line_no
// is its number).
bool plan_next(struct plan_reader *r, struct plan_line *out, const char **err);

// Checks a whole plan: each line, and the lines together (every instance
// named once, before the lines about it; at most one config line each; the
// PLAN_MAX_* limits). Returns NULL, or what is wrong with line r->line_no.
// The reader is the caller's (it is large); it ends at the plan's end.
const char *plan_check(struct plan_reader *r);
