// SPDX-License-Identifier: MIT
// Threads, wait queues and the preemptive round-robin scheduler (uniprocessor).
#pragma once
#include "../../abi/message.h"
#include "common.h"
#include "kobj.h"
#include "ktimer.h"

struct process;
struct message;
struct vmspace;

// A set of threads blocked until something happens (a message, a poll event).
struct wait_queue {
    struct list threads; // struct thread, through wait_node
};

enum thread_state { THREAD_RUNNABLE, THREAD_BLOCKED, THREAD_EXITED };

// All fields are touched only with interrupts disabled (all kernel code runs
// so): that is the one lock of this uniprocessor kernel.
struct thread {
    struct kobj obj;
    struct process *proc;        // owner; holds a reference while the thread lives
    struct vmspace *vmspace;     // proc->vmspace, kept here for the switch (sched_switch_to)
    uint32_t tid;
    enum thread_state state;
    // Off the CPU in app code: preempted there, or not started yet. It then
    // holds nothing in the kernel, so a kill can drop it at once. (Any other
    // thread that is not running is inside a syscall: blocked, or woken and
    // not yet back.) Set by sched_maybe_preempt and at creation, cleared by
    // sched_switch, the only way such a thread runs again.
    bool preempted_in_app;
    bool killed;                 // its process is exiting: leave at the end of this syscall
    struct list_node run_node;   // in the run queue (RUNNABLE and not running)
    struct list_node proc_node;  // in proc->threads
    struct list_node wait_node;  // in a wait queue while BLOCKED (list_unlink: its state says whether)
    struct list_node zombie_node;
    struct ktimer timeout;       // wakes a blocked thread with ERR_TIMED_OUT
    int wake_result;             // what thread_block returns
    void *kstack;                // kernel stack of a user thread or a kernel thread
                                 // (NULL for in-kernel apps' threads, which use their own)
    struct message *ipc_spare;   // the buffer of the last message it received, for its next
                                 // send; only between IPC syscalls (see message_recycle)
    // While it waits in channel_call: the channel it waits at and where the
    // reply goes. ipc_reply_checked: how many bytes of ipc_reply_buf were
    // found to be readable and writable memory of its process each time
    // before it began to wait; valid from then on, also after the call
    // (channel_call_fast's next check), until mapping_remove zeroes it when
    // the process unmaps anything (there is no other way to take access
    // away from a mapping). An
    // in-kernel caller, when this thread is in-kernel too, may copy a message
    // that fits there straight into it (ipc_copied then holds its msginfo |
    // IPC_COPIED); any other caller hands over the buffer of a message
    // (ipc_handed; see channel_hand_over). It takes either on waking.
    struct channel *ipc_call_ch;
    void *ipc_reply_buf;
    size_t ipc_reply_len;
    handle_t *ipc_reply_handles;
    size_t ipc_reply_checked;
    struct message *ipc_handed;
    uint64_t ipc_copied;
    uint64_t cpu_ticks, ran_since; // CPU time, and when it last began to run (arch_now_ticks)
    // Its calls handed over (channel_call_handoff): counted here, one store
    // cheaper than a global, and added to ipc_handoffs when it exits.
    uint64_t ipc_handoffs;
    struct arch_context ctx;
};

#define THREAD_KSTACK_PAGES 4

// The running thread (arch.h: arch_current; riscv64 keeps it in a register).
#define current ((struct thread *)arch_current())

void sched_init(void);
// Starts the scheduler: the caller (boot code) becomes the idle thread and never returns.
void sched_run_idle(void) NORETURN;

// Creates a thread of `proc` starting at pc(arg) on stack sp; runnable at once.
// Returns it with one reference for the caller, or NULL (ERR_NO_MEMORY).
struct thread *thread_create(struct process *proc, vaddr_t pc, uint64_t arg, vaddr_t sp);
// The current thread leaves for good; its stack is freed later by the reaper.
void thread_exit_current(void) NORETURN;
// Stops `t` (not the current thread) for its process's exit: at once if it is
// in app code, at the end of its syscall otherwise.
void thread_kill(struct thread *t);

void wait_queue_init(struct wait_queue *wq);
// Blocks the current thread on wq until woken or until deadline_ns (0: none).
// Returns the wake result: 0, ERR_TIMED_OUT, or ERR_CLOSED if its process is exiting.
int thread_block(struct wait_queue *wq, uint64_t deadline_ns);
void wait_queue_wake_all(struct wait_queue *wq);
// Runs `next` instead of `prev`, the current thread, which the caller has
// already put where it belongs (run queue, a wait queue, or the zombies), in
// the current time slice; `now` is arch_now_ticks(). For the scheduler and
// thread_block_and_run only.
void sched_switch_to(struct thread *prev, struct thread *next, uint64_t now);
// Blocks `self`, the current thread, on wq like thread_block (no deadline) and runs
// `next`, a thread blocked without a deadline, at once: it is taken off its
// wait queue and runs in the rest of the current time slice, without the run
// queue (the direct handoff of channel_call). The current thread must not be
// killed. (No ASSERT on `next`: the handoff finds it on a wait queue, which
// only blocked threads are on, and channel_call waits without a deadline.)
// Returns when the current thread runs again; what thread_block would have
// returned is then thread_wake_result(current). Inline: it is half of every
// handoff.
ALWAYS_INLINE void thread_block_and_run(struct thread *self, struct wait_queue *wq,
                                        struct thread *next) {
    list_unlink(&next->wait_node);
    next->wake_result = 0;
    next->state = THREAD_RUNNABLE;
    self->state = THREAD_BLOCKED; // whoever wakes it sets its wake_result
    list_push_back(&wq->threads, &self->wait_node);
    // No new slice and no timer to reprogram: `next` runs in the rest of the
    // current one, so a pair of threads calling each other is preempted
    // when the slice ends, like one thread.
    sched_switch_to(self, next, arch_now_ticks());
}
// What thread_block returned to t, the current thread, when its wait ended:
// 0, or ERR_CLOSED if its process is exiting.
ALWAYS_INLINE int thread_wake_result(const struct thread *t) {
    return t->killed ? ERR_CLOSED : t->wake_result;
}
// Gives up the CPU to the next runnable thread (if any).
void sched_yield(void);
// Time the idle thread has run so far: the CPU had nothing else to do.
uint64_t sched_idle_ns(void);
// Called at the end of an interrupt: switch if the slice ran out or idle has work.
void sched_maybe_preempt(void);
