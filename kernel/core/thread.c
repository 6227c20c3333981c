// SPDX-License-Identifier: MIT
// Threads, wait queues and the preemptive round-robin scheduler (uniprocessor).
#include "thread.h"
#include "channel.h"
#include "kmalloc.h"
#include "page.h"
#include "process.h"
#include "vmspace.h"
#include <string.h>

#define SLICE_NS 10000000ull // 10 ms: a spinning thread gives way this often

#ifndef ARCH_CURRENT_IN_REGISTER
void *arch_current_thread;
#endif
static struct thread idle_thread;
static struct list run_queue;
static struct list zombies;        // exited threads whose stacks may still be in use
static struct wait_queue reaper_wq;
static uint32_t next_tid = 1;
// When the running thread's time slice began (it gets a fresh one at every
// switch, and when one runs out with nobody else to run).
static uint64_t slice_start;

static void thread_timeout_fired(struct ktimer *kt);

static void thread_enqueue(struct thread *t) {
    // A thread in the run queue twice would run twice per round and corrupt it.
    ASSERT(!list_node_is_linked(&t->run_node));
    ASSERT(t->state == THREAD_RUNNABLE && t != &idle_thread);
    list_push_back(&run_queue, &t->run_node);
}

void sched_switch_to(struct thread *prev, struct thread *next, uint64_t now) {
    prev->cpu_ticks += now - prev->ran_since;
    next->ran_since = now;
    arch_set_current(next);
    if (next->vmspace != prev->vmspace)
        vmspace_activate(next->vmspace);
    arch_switch(&prev->ctx, &next->ctx);
}

// Switches to the next runnable thread, or idle, with a fresh time slice.
static void sched_switch(void) {
    struct list_node *n = list_pop_front(&run_queue);
    struct thread *next = n ? LIST_CONTAINER(n, struct thread, run_node) : &idle_thread;
    next->preempted_in_app = false;
    uint64_t ticks = arch_now_ticks(), now = arch_ticks_to_ns(ticks);
    slice_start = now;
    ktimer_program(next == &idle_thread ? 0 : now + SLICE_NS, now); // idle has no slice
    if (next != current) // else it runs on, with a fresh slice
        sched_switch_to(current, next, ticks);
}

uint64_t sched_idle_ns(void) {
    uint64_t ticks = idle_thread.cpu_ticks;
    if (current == &idle_thread)
        ticks += arch_now_ticks() - idle_thread.ran_since;
    return arch_ticks_to_ns(ticks);
}

void sched_yield(void) {
    if (current != &idle_thread && current->state == THREAD_RUNNABLE)
        thread_enqueue(current);
    sched_switch();
}

void sched_maybe_preempt(void) {
    if (current == &idle_thread) {
        if (!list_is_empty(&run_queue))
            sched_yield(); // sched_switch starts a slice
        return;
    }
    uint64_t now = arch_now_ns();
    if (now - slice_start < SLICE_NS)
        return;
    // The slice ran out: start the next one, for whoever runs now (the same
    // thread if nobody else is runnable; without a new slice the timer would
    // be programmed with the past slice end and fire again at once, forever).
    slice_start = now;
    ktimer_program(now + SLICE_NS, now);
    if (!list_is_empty(&run_queue)) {
        current->preempted_in_app = true; // an interrupt of app code called us
        sched_yield();
    }
}

void wait_queue_init(struct wait_queue *wq) {
    list_init(&wq->threads);
}

static void thread_wake(struct thread *t, int result) {
    if (t->state != THREAD_BLOCKED)
        return;
    list_unlink(&t->wait_node);
    ktimer_cancel(&t->timeout);
    t->wake_result = result;
    t->state = THREAD_RUNNABLE;
    thread_enqueue(t);
}

void wait_queue_wake_all(struct wait_queue *wq) {
    struct list_node *n;
    while ((n = list_front(&wq->threads)) != NULL)
        thread_wake(LIST_CONTAINER(n, struct thread, wait_node), 0);
}

static void thread_timeout_fired(struct ktimer *kt) {
    thread_wake(LIST_CONTAINER(kt, struct thread, timeout), ERR_TIMED_OUT);
}

int thread_block(struct wait_queue *wq, uint64_t deadline_ns) {
    ASSERT(current != &idle_thread);
    if (current->killed)
        return ERR_CLOSED;
    current->state = THREAD_BLOCKED; // whoever wakes it sets its wake_result
    list_push_back(&wq->threads, &current->wait_node);
    if (deadline_ns)
        ktimer_arm(&current->timeout, deadline_ns);
    sched_switch();
    return thread_wake_result(current);
}

// A kernel stack: mapped in the kernel vmspace, which places each mapping at
// least one free page after the one below it (vmspace_map, vmspace_reserve),
// so running off its end faults on that page (and the trap code reports a
// kernel stack overflow) instead of overwriting other memory. NULL if out of
// memory.
static void *kstack_alloc(void) {
    int err;
    struct folio *f = folio_alloc(THREAD_KSTACK_PAGES * PAGE_SIZE, &err);
    if (!f)
        return NULL;
    vaddr_t va;
    err = vmspace_map(kernel_vmspace, f, 0, THREAD_KSTACK_PAGES * PAGE_SIZE,
                      PROT_READ | PROT_WRITE, kernel_process, &va);
    kobj_unref(&f->obj); // the mapping holds it
    return err < 0 ? NULL : (void *)va;
}

static void kstack_free(void *kstack) {
    int err = vmspace_unmap(kernel_vmspace, (vaddr_t)kstack, kernel_process);
    ASSERT(err == 0);
}

struct thread *thread_create(struct process *proc, vaddr_t pc, uint64_t arg, vaddr_t sp) {
    struct thread *t = kmalloc(sizeof(*t));
    if (!t)
        return NULL;
    bool user = proc->mode == ISOLATION_USER;
    vaddr_t kstack_top = 0;
    if (user || proc == kernel_process) {
        t->kstack = kstack_alloc();
        if (!t->kstack) {
            kfree(t);
            return NULL;
        }
        kstack_top = (vaddr_t)t->kstack + THREAD_KSTACK_PAGES * PAGE_SIZE;
        if (!sp)
            sp = kstack_top;
    }
    kobj_init(&t->obj, KOBJ_THREAD);
    kobj_ref(&t->obj); // one for being alive (dropped by the reaper), one for the caller
    kobj_ref(&proc->obj);
    t->proc = proc;
    t->vmspace = proc->vmspace;
    t->tid = next_tid++;
    t->state = THREAD_RUNNABLE;
    t->preempted_in_app = true;
    ktimer_init(&t->timeout, thread_timeout_fired);
    arch_context_init(&t->ctx, t, user, pc, arg, sp, kstack_top);
    list_push_back(&proc->threads, &t->proc_node);
    thread_enqueue(t);
    return t;
}

// Moves t out of the scheduler for good; the reaper frees it later.
static void thread_make_zombie(struct thread *t) {
    if (list_node_is_linked(&t->run_node))
        list_remove(&t->run_node);
    if (t->state == THREAD_BLOCKED)
        list_unlink(&t->wait_node);
    ktimer_cancel(&t->timeout);
    ipc_handoffs += t->ipc_handoffs;
    t->ipc_handoffs = 0;
    t->state = THREAD_EXITED;
    list_push_back(&zombies, &t->zombie_node);
    wait_queue_wake_all(&reaper_wq);
}

void thread_exit_current(void) {
    thread_make_zombie(current);
    sched_switch();
    panic("exited thread %u was scheduled again", current->tid);
}

void thread_kill(struct thread *t) {
    ASSERT(t != current);
    if (t->state == THREAD_EXITED)
        return;
    if (t->preempted_in_app) {
        // It holds nothing in the kernel: drop it now.
        thread_make_zombie(t);
        return;
    }
    // Inside a syscall it may hold references: let it unwind, it exits on the way out.
    t->killed = true;
    thread_wake(t, ERR_CLOSED);
}

static void thread_destroy(struct thread *t) {
    struct process *proc = t->proc;
    list_remove(&t->proc_node);
    if (t->kstack)
        kstack_free(t->kstack);
    t->kstack = NULL;
    ASSERT(!t->ipc_handed && !t->ipc_copied); // channel_call always takes them
    kfree(t->ipc_spare); // holds no handles: just memory
    t->ipc_spare = NULL;
    bool last = list_is_empty(&proc->threads);
    if (last)
        process_teardown(proc);
    kobj_unref(&t->obj);       // the "alive" reference; handles may keep the struct
    kobj_unref(&proc->obj);
}

// The reaper frees exited threads: never on their own stack, which the
// exiting thread was still running on when it switched away.
static void reaper_main(uint64_t arg) {
    arch_irq_save();
    for (;;) {
        struct list_node *n;
        while ((n = list_pop_front(&zombies)) != NULL)
            thread_destroy(LIST_CONTAINER(n, struct thread, zombie_node));
        thread_block(&reaper_wq, 0);
    }
}

void sched_init(void) {
    list_init(&run_queue);
    list_init(&zombies);
    wait_queue_init(&reaper_wq);
    idle_thread.proc = kernel_process;
    idle_thread.vmspace = kernel_process->vmspace;
    idle_thread.state = THREAD_RUNNABLE;
    kobj_init(&idle_thread.obj, KOBJ_THREAD);
    arch_set_current(&idle_thread);
    struct thread *reaper = thread_create(kernel_process, (vaddr_t)reaper_main, 0, 0);
    if (!reaper)
        panic("no memory for the reaper thread");
    kobj_unref(&reaper->obj);
}

void sched_run_idle(void) {
    current->ran_since = arch_now_ticks();
    for (;;) {
        sched_yield();
        ktimer_run_expired();
        if (list_is_empty(&run_queue))
            arch_idle();
    }
}
