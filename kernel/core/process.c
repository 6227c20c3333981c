// SPDX-License-Identifier: MIT
// Processes: a handle table, an address space and threads; torn down when the last thread is gone.
#include "process.h"
#include "device.h"
#include "kmalloc.h"
#include "thread.h"
#include "vmspace.h"
#include <string.h>

struct process *kernel_process;
struct list all_processes;
static uint32_t next_pid = 0;

struct process *process_create(const char *name, uint32_t mode, struct vmspace *vs) {
    struct process *proc = kmalloc(sizeof(*proc));
    if (!proc)
        return NULL;
    kobj_init(&proc->obj, KOBJ_PROCESS);
    proc->pid = next_pid++;
    strlcpy(proc->name, name, sizeof(proc->name));
    proc->mode = mode;
    handle_table_init(&proc->handles);
    kobj_ref(&vs->obj);
    proc->vmspace = vs;
    list_init(&proc->threads);
    list_push_back(&all_processes, &proc->all_node);
    return proc;
}

void process_init(void) {
    list_init(&all_processes);
    kernel_process = process_create("kernel", ISOLATION_IN_KERNEL, kernel_vmspace);
    if (!kernel_process)
        panic("no memory for the kernel process");
}

// Marks proc as exiting and stops all its threads but the current one.
static void process_begin_exit(struct process *proc, int code) {
    if (proc->exiting)
        return;
    proc->exiting = true;
    proc->exit_code = code;
    LIST_FOR_EACH (t, &proc->threads, struct thread, proc_node) {
        if (t != current)
            thread_kill(t);
    }
}

void process_exit_current(int code) {
    process_begin_exit(current->proc, code);
    thread_exit_current();
}

void process_kill(struct process *proc, int code) {
    ASSERT(current->proc != proc);
    process_begin_exit(proc, code);
}

void process_teardown(struct process *proc) {
    ASSERT(list_is_empty(&proc->threads));
    // Stop its devices first: they may still write into the DMA memory
    // that closing its handles and mappings is about to free.
    if (proc->instance)
        device_reset_owned(proc->instance);
    handle_table_destroy(&proc->handles);
    // Its mappings go now, in a user vmspace too (which a handle elsewhere
    // may keep alive): a mapping never outlives its owner.
    vmspace_unmap_owned(proc->vmspace, proc);
    ASSERT(!proc->last_hit);
    kobj_unref(&proc->vmspace->obj);
    proc->vmspace = NULL;
    list_remove(&proc->all_node);
    if (proc->on_exit)
        proc->on_exit(proc, proc->exit_code, proc->instance);
}

void process_destroy(struct kobj *obj) {
    kfree(obj);
}
