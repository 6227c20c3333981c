// SPDX-License-Identifier: MIT
// Host tests of the boot plan's line parser (kernel/core/plan.c): every line specgen
// writes is read back as written, and every other line is refused with a reason.
// UNIT_SOURCES: kernel/core/plan.c
#include "harness.h"
#include "plan.h"
#include <stdio.h>
#include <string.h>

// Parses a copy of text (the parser splits its line in place).
static const char *parse(const char *text, struct plan_line *out) {
    static char line[4096];
    snprintf(line, sizeof(line), "%s", text);
    return plan_parse_line(line, out);
}

static bool refused(const char *text) {
    struct plan_line pl;
    return parse(text, &pl) != NULL;
}

TEST(instance_line) {
    struct plan_line pl;
    EXPECT_TRUE(parse("instance shell shell user never 0 1", &pl) == NULL);
    EXPECT_EQ(pl.kind, PLAN_INSTANCE);
    EXPECT_STREQ(pl.name, "shell");
    EXPECT_STREQ(pl.instance.app, "shell");
    EXPECT_EQ(pl.instance.mode, ISOLATION_USER);
    EXPECT_EQ(pl.instance.restart, PLAN_RESTART_NEVER);
    EXPECT_FALSE(pl.instance.shutdown_on_exit);
    EXPECT_TRUE(pl.instance.console);
    EXPECT_TRUE(parse("instance a b in-kernel on-failure 1 0", &pl) == NULL);
    EXPECT_EQ(pl.instance.mode, ISOLATION_IN_KERNEL);
    EXPECT_EQ(pl.instance.restart, PLAN_RESTART_ON_FAILURE);
    EXPECT_TRUE(pl.instance.shutdown_on_exit);
    EXPECT_TRUE(parse("instance a b user always 0 0", &pl) == NULL);
    EXPECT_EQ(pl.instance.restart, PLAN_RESTART_ALWAYS);
    // Names of 23 characters fit (START_NAME_MAX with the NUL); 24 do not.
    EXPECT_FALSE(refused("instance abcdefghijklmnopqrstuvw b user always 0 0"));
    EXPECT_TRUE(refused("instance abcdefghijklmnopqrstuvwx b user always 0 0"));
    EXPECT_TRUE(refused("instance a abcdefghijklmnopqrstuvwx user always 0 0"));
}

TEST(instance_line_refused) {
    EXPECT_TRUE(refused("instance a b wasm always 0 0"));
    EXPECT_TRUE(refused("instance a b user sometimes 0 0"));
    EXPECT_TRUE(refused("instance a b user always 2 0"));
    EXPECT_TRUE(refused("instance a b user always 0 10"));
    EXPECT_TRUE(refused("instance a b user always 0"));
    EXPECT_TRUE(refused("instance a b user always 0 0 extra"));
    EXPECT_TRUE(refused("Instance a b user always 0 0"));
}

TEST(env_line) {
    struct plan_line pl;
    EXPECT_TRUE(parse("env http tcpip tcpip tcpip", &pl) == NULL);
    EXPECT_EQ(pl.kind, PLAN_ENV);
    EXPECT_STREQ(pl.name, "http");
    EXPECT_STREQ(pl.env.env_name, "tcpip");
    EXPECT_STREQ(pl.env.server, "tcpip");
    EXPECT_STREQ(pl.env.protocol, "tcpip");
    EXPECT_TRUE(refused("env http tcpip tcpip"));
    EXPECT_TRUE(refused("env http tcpip tcpip abcdefghijklmnopqrstuvwx"));
}

TEST(config_line) {
    struct plan_line pl;
    EXPECT_TRUE(parse("config http 53434647ff00", &pl) == NULL);
    EXPECT_EQ(pl.kind, PLAN_CONFIG);
    EXPECT_STREQ(pl.name, "http");
    EXPECT_EQ(pl.config.len, 6);
    EXPECT_MEMEQ(pl.config.bytes, "SCFG\xff\x00", 6);
    EXPECT_TRUE(refused("config http 5343464"));   // half a byte
    EXPECT_TRUE(refused("config http 53434g47"));  // not hex
    EXPECT_TRUE(refused("config http 53434F47"));  // specgen writes lowercase
    EXPECT_TRUE(refused("config http"));
    // START_CONFIG_MAX bytes fit, one more does not.
    static char big[2 * START_CONFIG_MAX + 32];
    int n = snprintf(big, sizeof(big), "config a ");
    memset(big + n, 'a', 2 * START_CONFIG_MAX);
    big[n + 2 * START_CONFIG_MAX] = '\0';
    EXPECT_TRUE(parse(big, &pl) == NULL);
    EXPECT_EQ(pl.config.len, START_CONFIG_MAX);
    memset(big + n, 'a', 2 * START_CONFIG_MAX + 2);
    big[n + 2 * START_CONFIG_MAX + 2] = '\0';
    EXPECT_TRUE(refused(big));
}

TEST(device_line) {
    struct plan_line pl;
    EXPECT_TRUE(parse("device virtio_net nic virtio,mmio 1", &pl) == NULL);
    EXPECT_EQ(pl.kind, PLAN_DEVICE);
    EXPECT_STREQ(pl.name, "virtio_net");
    EXPECT_STREQ(pl.device.env_name, "nic");
    EXPECT_STREQ(pl.device.compatible, "virtio,mmio");
    EXPECT_EQ(pl.device.virtio_id, 1);
    EXPECT_TRUE(parse("device d nic virtio,mmio 65535", &pl) == NULL);
    EXPECT_EQ(pl.device.virtio_id, 65535);
    EXPECT_TRUE(refused("device d nic virtio,mmio 65536"));
    EXPECT_TRUE(refused("device d nic virtio,mmio 99999999999999999999"));
    EXPECT_TRUE(refused("device d nic virtio,mmio 1x"));
    EXPECT_TRUE(refused("device d nic virtio,mmio -1"));
    // "<env>.mmio" must be a name: 18 characters at most.
    EXPECT_FALSE(refused("device d abcdefghijklmnopqr virtio,mmio 0"));
    EXPECT_TRUE(refused("device d abcdefghijklmnopqrs virtio,mmio 0"));
    EXPECT_TRUE(refused("device d nic a-compatible-string-too-long 0"));
}

TEST(empty_and_unknown_lines) {
    struct plan_line pl;
    EXPECT_TRUE(parse("", &pl) == NULL);
    EXPECT_EQ(pl.kind, PLAN_EMPTY);
    EXPECT_TRUE(parse("    ", &pl) == NULL);
    EXPECT_EQ(pl.kind, PLAN_EMPTY);
    EXPECT_TRUE(refused("route a b"));
    EXPECT_TRUE(refused("#comment"));
}

// plan_check over a whole plan: NULL, or the error and its line number.
static const char *check(const char *text, int *line_no) {
    static struct plan_reader r;
    r = (struct plan_reader){.text = text, .size = strlen(text)};
    const char *err = plan_check(&r);
    *line_no = r.line_no;
    return err;
}

TEST(whole_plan) {
    int line;
    EXPECT_TRUE(check("instance echo echo user always 0 0\n"
                      "instance shell shell user never 0 1\n"
                      "\n"
                      "env shell echo echo echo\n"
                      "config echo 00\n"
                      "device echo nic virtio,mmio 1\n", &line) == NULL);
    EXPECT_TRUE(check("", &line) == NULL);
    // The reader walks every line in order, empty ones skipped.
    static struct plan_reader r;
    const char *text = "instance a a user never 0 0\n\n  \nenv a e a p";
    r = (struct plan_reader){.text = text, .size = strlen(text)};
    struct plan_line pl;
    const char *err;
    EXPECT_TRUE(plan_next(&r, &pl, &err) && pl.kind == PLAN_INSTANCE && r.line_no == 1);
    EXPECT_TRUE(plan_next(&r, &pl, &err) && pl.kind == PLAN_ENV && r.line_no == 4);
    EXPECT_FALSE(plan_next(&r, &pl, &err));
    EXPECT_TRUE(err == NULL);
}

TEST(whole_plan_refused) {
    int line;
    EXPECT_TRUE(check("instance a a user never 0 0\ninstance a b user never 0 0\n", &line) != NULL);
    EXPECT_EQ(line, 2);
    EXPECT_TRUE(check("env a e b p\ninstance a a user never 0 0\n", &line) != NULL); // before its instance
    EXPECT_EQ(line, 1);
    EXPECT_TRUE(check("instance a a user never 0 0\nenv a e b p\n", &line) != NULL); // no server b
    EXPECT_EQ(line, 2);
    EXPECT_TRUE(check("instance a a user never 0 0\nconfig a 00\nconfig a 01\n", &line) != NULL);
    EXPECT_EQ(line, 3);
    EXPECT_TRUE(check("instance a a user never 0 0\ndevice b nic virtio,mmio 0\n", &line) != NULL);
    EXPECT_EQ(line, 2);
    EXPECT_TRUE(check("instance a a user never 0 0\nbogus\n", &line) != NULL);
    EXPECT_EQ(line, 2);
    // Limits: PLAN_MAX_INSTANCES instances, a line of PLAN_LINE_MAX - 1 bytes.
    static char text[PLAN_MAX_INSTANCES * 40 + 64];
    size_t n = 0;
    for (int i = 0; i <= PLAN_MAX_INSTANCES; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "instance i%d a user never 0 0\n", i);
    EXPECT_TRUE(check(text, &line) != NULL);
    EXPECT_EQ(line, PLAN_MAX_INSTANCES + 1);
    static char longline[PLAN_LINE_MAX + 16];
    memset(longline, ' ', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    EXPECT_TRUE(check(longline, &line) != NULL);
    EXPECT_EQ(line, 1);
}

// "Nothing is guessed or cut short" (docs/specs.md): a NUL byte inside a line must not
// silently end it, leaving the words after it unread.
TEST(nul_inside_a_line_refused) {
    static const char text[] = "instance a a user never 0 0\nenv a e a p\0 extra words\n";
    static struct plan_reader r;
    r = (struct plan_reader){.text = text, .size = sizeof(text) - 1};
    EXPECT_TRUE(plan_check(&r) != NULL);
    EXPECT_EQ(r.line_no, 2);
}

// The PLAN_MAX_WIRES limits docs/specs.md says this file tries: 64 env and 64 device
// lines fit, a 65th of either does not.
TEST(wire_and_device_limits) {
    static char text[PLAN_MAX_WIRES * 2 * 40 + 128];
    int line;
    for (int kind = 0; kind < 2; kind++) {
        size_t n = (size_t)snprintf(text, sizeof(text), "instance a a user never 0 0\n");
        for (int i = 0; i < PLAN_MAX_WIRES; i++)
            n += (size_t)snprintf(text + n, sizeof(text) - n,
                                  kind ? "device a d%d virtio,mmio 0\n" : "env a e%d a p\n", i);
        EXPECT_TRUE(check(text, &line) == NULL);
        snprintf(text + n, sizeof(text) - n, kind ? "device a dx virtio,mmio 0\n" : "env a ex a p\n");
        EXPECT_TRUE(check(text, &line) != NULL);
        EXPECT_EQ(line, PLAN_MAX_WIRES + 2);
    }
}
