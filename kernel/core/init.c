// SPDX-License-Identifier: MIT
// Init: starts the instances of the system's boot plan, wires their channels and restarts them by policy.
#include "init.h"
#include "../../abi/message.h"
#include "../../abi/sysinfo.h"
#include "bootfs.h"
#include "channel.h"
#include "console.h"
#include "device.h"
#include "interrupt.h"
#include "kmalloc.h"
#include "loader.h"
#include "page.h"
#include "plan.h"
#include "poll.h"
#include "process.h"
#include "thread.h"
#include "vmspace.h"
#include <stdio.h>
#include <string.h>

// The boot plan is text written by tools/specgen from systems/<name>.toml, one
// line per instance, env, config blob (copied into start_info.config) and
// device; plan.h has the format, and plan.c checks it. Every instance gets a
// channel from init as env "init". An `env` line connects a client's need to
// a server with a new channel: the client gets one end as env <env-name>; the
// server gets the other in a MSG_CONNECT message on its "init" channel, at
// boot and whenever the client restarts, with the protocol the client speaks
// on it (a server of several protocols treats each client by its protocol,
// whatever the client sends).
// A `device` line gives a driver its device's registers as env
// "<env-name>.mmio" (a folio) and its interrupt as "<env-name>.irq".
#define BACKOFF_FIRST_NS 50000000ull     // 50 ms before the first restart
#define BACKOFF_MAX_NS 1000000000ull     // doubling up to 1 s
#define BACKOFF_RESET_NS 10000000000ull  // a run of 10 s forgives earlier crashes

struct instance {
    char name[START_NAME_MAX];
    char app[START_NAME_MAX];
    uint32_t mode;
    enum plan_restart restart;
    bool shutdown_on_exit;
    bool console;
    struct process *proc;     // NULL while not running (reference held)
    struct channel *init_ch;  // init's end of the instance's "init" channel (reference held)
    struct start_info *si;    // while being started
    uint32_t restarts;
    uint64_t started_at, restart_at, backoff_ns;
    bool restart_pending;
    uint8_t *config;          // the config blob for start_info (kmalloc'd), or NULL
    uint32_t config_len;
    int last_exit;
};

struct device_need {
    struct instance *inst;
    char env_name[START_NAME_MAX - 5]; // room for ".mmio"
    char compatible[24];
    uint32_t virtio_id;
    struct device *dev; // the device it got, kept for the instance's restarts
};

struct wire {
    struct instance *client, *server;
    char env_name[START_NAME_MAX];
    char protocol[START_NAME_MAX];
};

static struct instance instances[PLAN_MAX_INSTANCES];
static int num_instances;
static struct wire wires[PLAN_MAX_WIRES];
static int num_wires;
static struct device_need device_needs[PLAN_MAX_WIRES];
static int num_device_needs;
// Watches every instance's init channel; the init thread sleeps on its
// waiters, so a request, an exit or a restart deadline wakes it.
static struct poll *init_poll;

static struct instance *instance_find(const char *name) {
    for (int i = 0; i < num_instances; i++) {
        if (strcmp(instances[i].name, name) == 0)
            return &instances[i];
    }
    return NULL;
}

static const char *mode_name(uint32_t mode) {
    return mode == ISOLATION_USER ? "user" : "in-kernel";
}

// Adds a named handle to the environment of an instance being started.
static int env_add(struct instance *inst, const char *name, struct kobj *obj, uint32_t rights) {
    struct start_info *si = inst->si;
    if (si->num_env >= START_ENV_MAX)
        return ERR_TOO_LARGE;
    handle_t h = handle_install(&inst->proc->handles, obj, rights);
    if (h < 0)
        return h;
    strlcpy(si->env[si->num_env].name, name, START_NAME_MAX);
    si->env[si->num_env].handle = h;
    si->num_env++;
    return 0;
}

#define RIGHTS_ENV_CHANNEL (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER)

// Hands `ch` (our reference) to a running server as a new client of `w`'s protocol.
static void send_connect(const struct wire *w, struct channel *ch) {
    struct instance *server = w->server, *client = w->client;
    size_t plen = strlen(w->protocol), clen = strlen(client->name), len = plen + 1 + clen;
    struct message *msg = server->init_ch ? kmalloc(sizeof(*msg) + len) : NULL;
    if (!msg || channel_can_send(server->init_ch) < 0) {
        kprintf("init: cannot connect %s to %s\n", client->name, server->name);
        kfree(msg);
        kobj_unref(&ch->obj); // the client sees CLOSED
        return;
    }
    msg->info = MSGINFO(MSG_CONNECT, len, 1);
    msg->handles[0] = &ch->obj;
    msg->rights[0] = RIGHTS_ENV_CHANNEL;
    memcpy(msg->data, w->protocol, plen);
    msg->data[plen] = ' ';
    memcpy(msg->data + plen + 1, client->name, clen);
    channel_enqueue(server->init_ch, msg);
}

// Creates the process, its init channel and its environment; nothing runs yet.
static int instance_prepare(struct instance *inst) {
    struct vmspace *vs = inst->mode == ISOLATION_USER ? vmspace_create_user() : kernel_vmspace;
    if (!vs)
        return ERR_NO_MEMORY;
    if (vs == kernel_vmspace)
        kobj_ref(&vs->obj);
    inst->proc = process_create(inst->name, inst->mode, vs);
    kobj_unref(&vs->obj); // the process holds it now
    if (inst->proc)
        inst->proc->instance = inst;
    inst->si = kmalloc(sizeof(struct start_info));
    struct channel *mine, *theirs;
    if (!inst->proc || !inst->si || channel_create_pair(&mine, &theirs) < 0)
        return ERR_NO_MEMORY;
    inst->init_ch = mine;
    // The index names the entry (init has no handle table); it is dropped
    // by itself when this channel end dies.
    int err = poll_add(init_poll, (handle_t)(inst - instances) + 1, &mine->obj, POLL_READABLE, 0);
    if (err < 0) {
        kobj_unref(&theirs->obj);
        return err;
    }
    strlcpy(inst->si->name, inst->name, START_NAME_MAX);
    memcpy(inst->si->config, inst->config, inst->config_len);
    inst->si->config_len = inst->config_len;
    err = env_add(inst, "init", &theirs->obj, RIGHTS_ENV_CHANNEL);
    if (err < 0) {
        kobj_unref(&theirs->obj);
        return err;
    }
    if (inst->console) {
        handle_t h = handle_install(&inst->proc->handles, console_get(), RIGHT_READ | RIGHT_DUP);
        if (h < 0)
            return h;
        inst->si->console = h;
    }
    return 0;
}

// Connects every need of `client` to its server (running or not: a need
// whose server is down gets a channel that is already CLOSED).
static int instance_wire(struct instance *client) {
    for (int i = 0; i < num_wires; i++) {
        struct wire *w = &wires[i];
        if (w->client != client)
            continue;
        struct channel *a, *b;
        if (channel_create_pair(&a, &b) < 0)
            return ERR_NO_MEMORY;
        int err = env_add(client, w->env_name, &a->obj, RIGHTS_ENV_CHANNEL);
        if (err < 0) {
            kobj_unref(&a->obj);
            kobj_unref(&b->obj);
            return err;
        }
        if (w->server->proc)
            send_connect(w, b);
        else
            kobj_unref(&b->obj);
    }
    return 0;
}

// Gives a driver the registers and interrupt of its device. A missing
// device is logged; the driver's startup code reports the missing handle.
static int instance_give_devices(struct instance *inst) {
    for (int i = 0; i < num_device_needs; i++) {
        struct device_need *need = &device_needs[i];
        if (need->inst != inst)
            continue;
        // The same device after a restart; a free one (not another need's) first.
        if (!need->dev)
            need->dev = device_claim(need->compatible, need->virtio_id, inst);
        struct device *dev = need->dev;
        if (!dev) {
            kprintf("init: %s: no free %s device (id %u) for env %s\n", inst->name,
                    need->compatible, need->virtio_id, need->env_name);
            continue;
        }
        int err;
        char name[START_NAME_MAX];
        struct folio *mmio = device_mmio_folio(dev);
        if (!mmio)
            return ERR_NO_MEMORY;
        snprintf(name, sizeof(name), "%s.mmio", need->env_name);
        if ((err = env_add(inst, name, &mmio->obj, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP)) < 0) {
            kobj_unref(&mmio->obj);
            return err;
        }
        struct interrupt *intr = interrupt_create(dev->info.irq, &err);
        if (!intr)
            return err;
        snprintf(name, sizeof(name), "%s.irq", need->env_name);
        if ((err = env_add(inst, name, &intr->obj, RIGHT_READ | RIGHT_WRITE)) < 0) {
            kobj_unref(&intr->obj);
            return err;
        }
    }
    return 0;
}

static void instance_exited(struct process *proc, int code, void *arg);

static uint64_t fnv1a64(const uint8_t *p, size_t len) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int instance_launch(struct instance *inst) {
    char path[BOOTFS_NAME_MAX];
    size_t size;
    snprintf(path, sizeof(path), "apps/%s.elf", inst->app);
    const void *elf = bootfs_find(path, &size);
    if (!elf)
        return ERR_NOT_FOUND;
    inst->proc->on_exit = instance_exited;
    vaddr_t base;
    int err = loader_start(inst->proc, elf, size, inst->si, &base);
    kfree(inst->si);
    inst->si = NULL;
    if (err < 0)
        return err;
    inst->started_at = arch_now_ns();
    // tools/debug.py reads this line to give gdb the app's symbols; the
    // hash lets tests show that every mode runs the very same ELF bytes.
    kprintf("init: started %s (app %s, %s) image at %p, elf fnv1a64 %016lx\n", inst->name,
            inst->app, mode_name(inst->mode), (void *)base, (unsigned long)fnv1a64(elf, size));
    return 0;
}

// Drops what a failed start left; the process never ran a thread.
static void instance_abandon(struct instance *inst, int err) {
    kprintf("init: cannot start %s: %s\n", inst->name, err_name(err));
    kfree(inst->si);
    inst->si = NULL;
    if (inst->init_ch)
        kobj_unref(&inst->init_ch->obj);
    inst->init_ch = NULL;
    if (inst->proc) {
        inst->proc->on_exit = NULL;
        process_teardown(inst->proc);
        kobj_unref(&inst->proc->obj);
    }
    inst->proc = NULL;
}

static void instance_restart(struct instance *inst) {
    inst->restart_pending = false;
    inst->restarts++;
    kprintf("init: restarting %s (restart %u)\n", inst->name, inst->restarts);
    int err = instance_prepare(inst);
    if (err == 0)
        err = instance_wire(inst);
    if (err == 0)
        err = instance_give_devices(inst);
    if (err == 0)
        err = instance_launch(inst);
    if (err < 0)
        instance_abandon(inst, err);
}

// Runs in the reaper once the process is gone: its memory is back.
static void instance_exited(struct process *proc, int code, void *arg) {
    struct instance *inst = arg;
    kprintf("init: %s exited with code %d (%zu pages free, %zu heap bytes used)\n", inst->name, code,
            page_free_count(), kmalloc_bytes_used());
    inst->proc = NULL;
    inst->last_exit = code;
    kobj_unref(&proc->obj);
    kobj_unref(&inst->init_ch->obj);
    inst->init_ch = NULL;
    if (inst->shutdown_on_exit) {
        kprintf("init: powering off (%s was the system's last word)\n", inst->name);
        arch_shutdown(code == 0 ? 0 : 1);
    }
    bool again = inst->restart == PLAN_RESTART_ALWAYS ||
                 (inst->restart == PLAN_RESTART_ON_FAILURE && code != 0);
    if (!again)
        return;
    uint64_t now = arch_now_ns();
    if (now - inst->started_at >= BACKOFF_RESET_NS)
        inst->backoff_ns = 0;
    inst->backoff_ns = inst->backoff_ns ? MIN(inst->backoff_ns * 2, BACKOFF_MAX_NS) : BACKOFF_FIRST_NS;
    inst->restart_at = now + inst->backoff_ns;
    inst->restart_pending = true;
    wait_queue_wake_all(&init_poll->waiters);
}

// Replies to a request on an instance's init channel (kernel side: no copies).
static void init_reply(struct instance *inst, uint32_t kind, int32_t err) {
    size_t len = kind == MSG_ERROR ? sizeof(err) : 0;
    struct message *msg = kmalloc(sizeof(*msg) + len);
    if (!msg || !inst->init_ch || channel_can_send(inst->init_ch) < 0) {
        kfree(msg); // the instance does not read its init channel: its loss
        return;
    }
    msg->info = MSGINFO(kind, len, 0);
    memcpy(msg->data, &err, len);
    channel_enqueue(inst->init_ch, msg);
}

// What an instance may ask of init, as MSG_OPEN with a URI:
//   kill:<instance>   end that instance (its restart policy applies); only
//                     an instance with the console (the operator's) may ask.
// Answers MSG_OPEN_REPLY on success, MSG_ERROR with an ERR_* otherwise.
static void init_handle_request(struct instance *inst, struct message *msg) {
    uint32_t len = MSGINFO_LEN(msg->info);
    char uri[START_NAME_MAX + 8];
    if (MSGINFO_KIND(msg->info) != MSG_OPEN || MSGINFO_HANDLES(msg->info) || len >= sizeof(uri)) {
        init_reply(inst, MSG_ERROR, ERR_UNEXPECTED);
        return;
    }
    memcpy(uri, msg->data, len);
    uri[len] = '\0';
    if (strncmp(uri, "kill:", 5) != 0) {
        init_reply(inst, MSG_ERROR, ERR_NOT_SUPPORTED);
        return;
    }
    struct instance *target = instance_find(uri + 5);
    if (!inst->console) {
        init_reply(inst, MSG_ERROR, ERR_NOT_ALLOWED);
    } else if (!target || !target->proc) {
        init_reply(inst, MSG_ERROR, ERR_NOT_FOUND);
    } else {
        kprintf("init: killing %s (asked by %s)\n", target->name, inst->name);
        if (target->proc == current->proc)
            panic("init: asked to kill itself");
        process_kill(target->proc, -9);
        init_reply(inst, MSG_OPEN_REPLY, 0);
    }
}

// Reads what instances sent on their init channels.
static void init_read_requests(void) {
    for (int i = 0; i < num_instances; i++) {
        struct instance *inst = &instances[i];
        struct message *msg;
        while (inst->init_ch && (msg = channel_peek(inst->init_ch)) != NULL) {
            channel_dequeue(inst->init_ch, msg);
            init_handle_request(inst, msg);
            message_free(msg);
        }
    }
}

// The init thread: answers requests and restarts instances when their
// backoff has passed. It sleeps on init_poll's waiters, which every init channel's
// entry in init_poll and every exit wake.
static void init_thread_main(uint64_t arg) {
    arch_irq_save();
    for (;;) {
        init_read_requests();
        uint64_t now = arch_now_ns(), next = 0;
        for (int i = 0; i < num_instances; i++) {
            struct instance *inst = &instances[i];
            if (!inst->restart_pending)
                continue;
            if (inst->restart_at <= now)
                instance_restart(inst);
            else if (next == 0 || inst->restart_at < next)
                next = inst->restart_at;
        }
        thread_block(&init_poll->waiters, next);
    }
}

// The plan's lines, checked already (plan_check): every instance they name exists.
static void plan_instance(const struct plan_line *pl) {
    struct instance *inst = &instances[num_instances++];
    strlcpy(inst->name, pl->name, sizeof(inst->name));
    strlcpy(inst->app, pl->instance.app, sizeof(inst->app));
    inst->mode = pl->instance.mode;
    inst->restart = pl->instance.restart;
    inst->shutdown_on_exit = pl->instance.shutdown_on_exit;
    inst->console = pl->instance.console;
}

static void plan_env(const struct plan_line *pl) {
    struct wire *wire = &wires[num_wires++];
    wire->client = instance_find(pl->name);
    wire->server = instance_find(pl->env.server);
    strlcpy(wire->env_name, pl->env.env_name, sizeof(wire->env_name));
    strlcpy(wire->protocol, pl->env.protocol, sizeof(wire->protocol));
}

static void plan_config(const struct plan_line *pl) {
    struct instance *inst = instance_find(pl->name);
    inst->config_len = pl->config.len;
    inst->config = kmalloc(inst->config_len + 1);
    if (!inst->config)
        panic("init: no memory for %s's config", inst->name);
    memcpy(inst->config, pl->config.bytes, inst->config_len);
}

static void plan_device(const struct plan_line *pl) {
    struct device_need *need = &device_needs[num_device_needs++];
    need->inst = instance_find(pl->name);
    strlcpy(need->env_name, pl->device.env_name, sizeof(need->env_name));
    strlcpy(need->compatible, pl->device.compatible, sizeof(need->compatible));
    need->virtio_id = pl->device.virtio_id;
}

// Reads the plan. A plan that is wrong stops the boot with the line and what
// is wrong with it: the plan is the system, there is nothing sensible to
// start without it.
static void plan_read(void) {
    static struct plan_reader reader; // too big for the boot stack
    size_t size;
    const char *text = bootfs_find("plan", &size);
    if (!text)
        panic("init: the bootfs has no plan");
    reader = (struct plan_reader){.text = text, .size = size};
    const char *err = plan_check(&reader);
    if (err)
        panic("init: boot plan line %d: %s", reader.line_no, err);
    reader = (struct plan_reader){.text = text, .size = size};
    struct plan_line pl;
    while (plan_next(&reader, &pl, &err)) {
        switch (pl.kind) {
        case PLAN_EMPTY: break;
        case PLAN_INSTANCE: plan_instance(&pl); break;
        case PLAN_ENV: plan_env(&pl); break;
        case PLAN_CONFIG: plan_config(&pl); break;
        case PLAN_DEVICE: plan_device(&pl); break;
        }
    }
}

void init_start(void) {
    init_poll = poll_create(kernel_process);
    if (!init_poll)
        panic("init: no memory for its poll");
    plan_read();
    // Every process and its init channel exist before any wiring, so a
    // client may come before its server in the plan.
    for (int i = 0; i < num_instances; i++) {
        if (instance_prepare(&instances[i]) < 0)
            panic("init: no memory for %s", instances[i].name);
    }
    for (int i = 0; i < num_instances; i++) {
        if (instance_wire(&instances[i]) < 0 || instance_give_devices(&instances[i]) < 0)
            panic("init: cannot wire %s", instances[i].name);
    }
    for (int i = 0; i < num_instances; i++) {
        int err = instance_launch(&instances[i]);
        if (err < 0)
            panic("init: cannot start %s: %s", instances[i].name, err_name(err));
    }
    struct thread *t = thread_create(kernel_process, (vaddr_t)init_thread_main, 0, 0);
    if (!t)
        panic("init: no memory for the init thread");
    kobj_unref(&t->obj);
}

size_t init_instances_info(struct sysinfo_instance *out, size_t max) {
    for (int i = 0; i < num_instances && (size_t)i < max; i++) {
        struct instance *inst = &instances[i];
        struct sysinfo_instance *rec = &out[i];
        memset(rec, 0, sizeof(*rec));
        strlcpy(rec->name, inst->name, sizeof(rec->name));
        strlcpy(rec->app, inst->app, sizeof(rec->app));
        rec->mode = inst->mode;
        rec->state = inst->proc ? INSTANCE_STATE_RUNNING
                     : inst->restart_pending ? INSTANCE_STATE_RESTARTING
                                             : INSTANCE_STATE_STOPPED;
        rec->restarts = inst->restarts;
        rec->pid = inst->proc ? inst->proc->pid : 0;
        rec->last_exit = inst->last_exit;
    }
    return (size_t)num_instances;
}
