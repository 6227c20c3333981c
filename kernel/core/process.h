// SPDX-License-Identifier: MIT
// Processes: a handle table, an address space and threads; torn down when the last thread is gone.
#pragma once
#include "common.h"
#include "handle.h"
#include "kobj.h"

struct vmspace;

struct process {
    struct kobj obj;
    uint32_t pid;
    char name[24];
    uint32_t mode;                // ISOLATION_*
    struct handle_table handles;
    struct vmspace *vmspace;      // reference held
    // The mapping of its own that its last pointer check hit
    // (vmspace_range_ok), or NULL; removing the mapping clears it.
    struct vm_mapping *last_hit;
    struct list threads;          // live (not yet reaped) threads
    struct list_node all_node;    // in the list of all processes
    bool exiting;
    int exit_code;
    // Called once the process is fully torn down (handles closed, memory
    // freed). Set by init; runs in the reaper thread.
    void (*on_exit)(struct process *proc, int exit_code, void *instance);
    // The init instance this process runs (NULL for the kernel's): who owns
    // devices, and what on_exit is told about.
    void *instance;
};

extern struct process *kernel_process;
extern struct list all_processes;

void process_init(void);
// A new process named `name` in `vs` (a reference is taken). NULL on ERR_NO_MEMORY.
struct process *process_create(const char *name, uint32_t mode, struct vmspace *vs);
// Ends the current thread's process with `code`: kills its other threads, then
// exits the current one. Teardown finishes in the reaper.
void process_exit_current(int code) NORETURN;
// Ends `proc` from outside (a fault in one of its threads, or init); the
// current thread must not belong to it.
void process_kill(struct process *proc, int code);
// Called by the reaper when the last thread of proc has been reaped.
void process_teardown(struct process *proc);
