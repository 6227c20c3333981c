// SPDX-License-Identifier: MIT
// Init: starts the instances of the system's boot plan and wires their channels.
#include "init.h"
#include "../../abi/startinfo.h"
#include "bootfs.h"
#include "channel.h"
#include "console.h"
#include "kmalloc.h"
#include "loader.h"
#include "process.h"
#include "vmspace.h"
#include <stdio.h>
#include <string.h>

// The boot plan is text written by tools/mkbootfs.py from systems/<name>.toml:
//   instance <name> <app> <in-kernel|user> <always|on-failure|never> <shutdown_on_exit 0|1> <console 0|1>
//   env <instance> <env-name> <server-instance>
// An `env` line connects a client's need to a server by a new channel: the
// client gets one end as env <env-name>, the server the other as env "client".
#define PLAN_MAX_INSTANCES 32
#define PLAN_LINE_MAX 160

struct instance {
    char name[START_NAME_MAX];
    char app[START_NAME_MAX];
    uint32_t mode;
    bool shutdown_on_exit;
    bool console;
    struct process *proc;
    struct start_info *si; // built before the process starts
};

static struct instance instances[PLAN_MAX_INSTANCES];
static int num_instances;

static struct instance *instance_find(const char *name) {
    for (int i = 0; i < num_instances; i++) {
        if (strcmp(instances[i].name, name) == 0)
            return &instances[i];
    }
    return NULL;
}

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

static void instance_exited(struct process *proc, int code, void *arg) {
    struct instance *inst = arg;
    kprintf("init: %s exited with code %d\n", inst->name, code);
    inst->proc = NULL;
    kobj_unref(&proc->obj);
    if (inst->shutdown_on_exit) {
        kprintf("init: powering off (%s was the system's last word)\n", inst->name);
        arch_shutdown(code == 0 ? 0 : 1);
    }
}

static void env_add(struct instance *inst, const char *name, struct kobj *obj) {
    struct start_info *si = inst->si;
    if (si->num_env >= START_ENV_MAX)
        panic("init: %s: more than %d env handles", inst->name, START_ENV_MAX);
    handle_t h = handle_install(&inst->proc->handles, obj, RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER);
    if (h < 0)
        panic("init: no memory for %s's handles", inst->name);
    strlcpy(si->env[si->num_env].name, name, START_NAME_MAX);
    si->env[si->num_env].handle = h;
    si->num_env++;
}

static void plan_instance(char **w, int n) {
    if (n != 7 || num_instances >= PLAN_MAX_INSTANCES)
        panic("init: bad instance line in the boot plan");
    struct instance *inst = &instances[num_instances++];
    strlcpy(inst->name, w[1], sizeof(inst->name));
    strlcpy(inst->app, w[2], sizeof(inst->app));
    if (strcmp(w[3], "in-kernel") != 0)
        panic("init: %s: mode %s is not supported yet", inst->name, w[3]);
    inst->mode = ISOLATION_IN_KERNEL;
    inst->shutdown_on_exit = w[5][0] == '1';
    inst->console = w[6][0] == '1';
    inst->si = kmalloc(sizeof(struct start_info));
    inst->proc = process_create(inst->name, inst->mode, kernel_vmspace);
    if (!inst->si || !inst->proc)
        panic("init: no memory for %s", inst->name);
    strlcpy(inst->si->name, inst->name, START_NAME_MAX);
    if (inst->console) {
        handle_t h = handle_install(&inst->proc->handles, console_get(), RIGHT_READ | RIGHT_DUP);
        if (h < 0)
            panic("init: no memory for %s's handles", inst->name);
        inst->si->console = h;
    }
}

static void plan_env(char **w, int n) {
    struct instance *client = n == 4 ? instance_find(w[1]) : NULL;
    struct instance *server = n == 4 ? instance_find(w[3]) : NULL;
    if (!client || !server)
        panic("init: bad env line in the boot plan");
    struct channel *a, *b;
    if (channel_create_pair(&a, &b) < 0)
        panic("init: no memory for channels");
    env_add(client, w[2], &a->obj);
    env_add(server, "client", &b->obj);
}

void init_start(void) {
    size_t size;
    const char *plan = bootfs_find("plan", &size);
    if (!plan)
        panic("init: the bootfs has no plan");
    char line[PLAN_LINE_MAX];
    for (size_t pos = 0; pos < size;) {
        size_t len = 0;
        while (pos < size && plan[pos] != '\n' && len < sizeof(line) - 1)
            line[len++] = plan[pos++];
        pos++; // the newline
        line[len] = '\0';
        char *w[8];
        int n = split_words(line, w, 8);
        if (n == 0)
            continue;
        if (strcmp(w[0], "instance") == 0)
            plan_instance(w, n);
        else if (strcmp(w[0], "env") == 0)
            plan_env(w, n);
        else
            panic("init: unknown boot plan line '%s'", w[0]);
    }
    for (int i = 0; i < num_instances; i++) {
        struct instance *inst = &instances[i];
        char path[BOOTFS_NAME_MAX];
        snprintf(path, sizeof(path), "apps/%s.elf", inst->app);
        const void *elf = bootfs_find(path, &size);
        if (!elf)
            panic("init: %s: no app %s in the bootfs", inst->name, inst->app);
        inst->proc->on_exit = instance_exited;
        inst->proc->on_exit_arg = inst;
        vaddr_t base;
        int err = loader_start(inst->proc, elf, size, inst->si, &base);
        if (err < 0)
            panic("init: %s: cannot load %s: %s", inst->name, path, err_name(err));
        // tools/debug.py reads this line to give gdb the app's symbols.
        kprintf("init: started %s (app %s, %s) image at %p\n", inst->name, inst->app,
                inst->mode == ISOLATION_USER ? "user" : "in-kernel", (void *)base);
        kfree(inst->si);
        inst->si = NULL;
    }
}
