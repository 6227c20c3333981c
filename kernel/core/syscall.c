// SPDX-License-Identifier: MIT
// Syscall handlers: each checks rights, looks handles up and validates every argument before it changes anything.
#include "../../abi/syscall.h"
#include "../../abi/message.h"
#include "../../abi/poll.h"
#include "../../abi/startinfo.h"
#include "../../abi/sysinfo.h"
#include "channel.h"
#include "console.h"
#include "device.h"
#include "folio.h"
#include "init.h"
#include "interrupt.h"
#include "kmalloc.h"
#include "page.h"
#include "poll.h"
#include "process.h"
#include "syscall.h"
#include "thread.h"
#include "timer.h"
#include "usercopy.h"
#include "vmspace.h"
#include <string.h>

// Syscalls made so far (SYSINFO_IPC). Not static: the arch's in-kernel gate
// (syscall_gate_direct in trap.S) counts the calls it rejects itself.
uint64_t syscall_count;

static int64_t sys_log_write(int64_t buf, int64_t len) {
    char chunk[256];
    if (len < 0 || len > 64 * 1024)
        return ERR_TOO_LARGE;
    if (!user_range_ok((const void *)buf, (size_t)len, PROT_READ))
        return ERR_BAD_ADDR;
    for (int64_t off = 0; off < len; off += sizeof(chunk)) {
        size_t n = MIN(sizeof(chunk), (size_t)(len - off));
        if (copy_from_user(chunk, (const char *)buf + off, n) < 0)
            return ERR_BAD_ADDR;
        log_write(chunk, n);
    }
    return 0;
}

static int64_t sys_log_read(int64_t buf, int64_t len, int64_t offset) {
    char chunk[256];
    if (len < 0 || offset < 0)
        return ERR_INVALID_ARG;
    if (!user_range_ok((void *)buf, (size_t)len, PROT_WRITE))
        return ERR_BAD_ADDR;
    int64_t done = 0;
    uint64_t from = (uint64_t)offset;
    while (done < len) {
        // An offset the ring no longer holds moves up to its oldest byte: once,
        // or every chunk would start over there.
        size_t n = log_read(chunk, MIN(sizeof(chunk), (size_t)(len - done)), from + (uint64_t)done, &from);
        from -= (uint64_t)done;
        if (n == 0)
            break;
        if (copy_to_user((char *)buf + done, chunk, n) < 0)
            return ERR_BAD_ADDR;
        done += (int64_t)n;
    }
    return done;
}

static int64_t sys_handle_close(int64_t h) {
    struct handle_entry *e;
    int err = lookup(h, 0, 0, &e);
    if (err < 0)
        return err;
    kobj_unref(handle_take((handle_t)h));
    return 0;
}

static int64_t sys_handle_dup(int64_t h, int64_t rights) {
    struct handle_entry *e;
    int err = lookup(h, 0, RIGHT_DUP, &e);
    if (err < 0)
        return err;
    if ((uint64_t)rights & ~(uint64_t)e->rights)
        return ERR_NOT_ALLOWED; // a copy never has more rights than its original
    kobj_ref(e->obj);
    return install_new(e->obj, (uint32_t)rights);
}

static int64_t sys_poll_create(void) {
    struct poll *p = poll_create(current->proc);
    if (!p)
        return ERR_NO_MEMORY;
    return install_new(&p->obj, RIGHTS_POLL);
}

static int64_t sys_poll_add(int64_t ph, int64_t h, int64_t interests, int64_t cookie) {
    GET_OBJ(p, ph, KOBJ_POLL, poll, RIGHT_WRITE);
    struct handle_entry *e;
    int err = lookup(h, 0, RIGHT_READ, &e);
    if (err < 0)
        return err;
    if (interests < 0 || interests > UINT32_MAX)
        return ERR_INVALID_ARG;
    return poll_add(p, (handle_t)h, e->obj, (uint32_t)interests, (uint64_t)cookie);
}

static int64_t sys_poll_update(int64_t ph, int64_t h, int64_t interests) {
    GET_OBJ(p, ph, KOBJ_POLL, poll, RIGHT_WRITE);
    if (interests < 0 || interests > UINT32_MAX)
        return ERR_INVALID_ARG;
    if (!handle_arg_ok(h))
        return ERR_NOT_FOUND; // no entry has such a handle
    return poll_update(p, (handle_t)h, (uint32_t)interests);
}

static int64_t sys_poll_remove(int64_t ph, int64_t h) {
    GET_OBJ(p, ph, KOBJ_POLL, poll, RIGHT_WRITE);
    if (!handle_arg_ok(h))
        return ERR_NOT_FOUND; // no entry has such a handle
    return poll_remove(p, (handle_t)h);
}

static int64_t sys_poll_wait(int64_t ph, int64_t evs, int64_t max, int64_t timeout_ns) {
    GET_OBJ(p, ph, KOBJ_POLL, poll, RIGHT_READ);
    // -1 (POLL_WAIT_FOREVER) is the only timeout that waits forever.
    if (max <= 0 || timeout_ns < POLL_WAIT_FOREVER)
        return ERR_INVALID_ARG;
    size_t n = MIN((size_t)max, POLL_WAIT_MAX_EVENTS);
    if (!user_range_ok((void *)evs, n * sizeof(struct poll_event), PROT_WRITE))
        return ERR_BAD_ADDR;
    struct poll_event out[POLL_WAIT_MAX_EVENTS];
    uint64_t deadline = timeout_ns > 0 ? arch_now_ns() + (uint64_t)timeout_ns : 0;
    kobj_ref(&p->obj);
    int ret = poll_wait(p, out, n, timeout_ns != 0, deadline);
    kobj_unref(&p->obj);
    if (ret > 0 && copy_to_user((void *)evs, out, (size_t)ret * sizeof(out[0])) < 0)
        return ERR_BAD_ADDR; // unmapped while we slept; level-triggered events are not lost
    return ret;
}

static int64_t sys_folio_alloc(int64_t size) {
    int err;
    if (size <= 0)
        return ERR_INVALID_ARG;
    struct folio *f = folio_alloc((size_t)size, &err);
    if (!f)
        return err;
    return install_new(&f->obj, RIGHTS_FOLIO);
}

static int64_t sys_folio_paddr(int64_t h) {
    GET_OBJ(f, h, KOBJ_FOLIO, folio, RIGHT_MAP);
    return (int64_t)(f->paddr + f->mmio_offset);
}

static int64_t sys_vmspace_map(int64_t vh, int64_t fh, int64_t prot) {
    GET_OBJ(vs, vh, KOBJ_VMSPACE, vmspace, RIGHT_WRITE);
    GET_OBJ(f, fh, KOBJ_FOLIO, folio, RIGHT_MAP);
    if (prot <= 0 || (prot & ~(int64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
        (f->is_mmio && (prot & PROT_EXEC)))
        return ERR_INVALID_ARG;
    if (vs != current->proc->vmspace)
        return ERR_NOT_SUPPORTED; // mapping into another process's space comes later
                                  // (then vmspace_range_ok's per-process last hit must learn it)
    vaddr_t va;
    int err = vmspace_map(vs, f, 0, f->npages * PAGE_SIZE, (unsigned)prot, current->proc, &va);
    return err < 0 ? err : (int64_t)va;
}

static int64_t sys_vmspace_unmap(int64_t vh, int64_t va) {
    GET_OBJ(vs, vh, KOBJ_VMSPACE, vmspace, RIGHT_WRITE);
    return vmspace_unmap(vs, (vaddr_t)va, current->proc);
}

static int64_t sys_interrupt_create(int64_t irq) {
    int err;
    if (irq <= 0 || irq > UINT32_MAX || (uint64_t)irq > arch_irq_max())
        return ERR_INVALID_ARG;
    // A driver may claim its own device's interrupt again (init hands it
    // out at start) and nothing else: not the console's, not another's.
    if (!device_irq_owned_by((unsigned)irq, current->proc->instance))
        return ERR_NOT_ALLOWED;
    struct interrupt *intr = interrupt_create((unsigned)irq, &err);
    if (!intr)
        return err;
    return install_new(&intr->obj, RIGHTS_INTR);
}

static int64_t sys_interrupt_ack(int64_t h) {
    GET_OBJ(intr, h, KOBJ_INTERRUPT, interrupt, RIGHT_WRITE);
    interrupt_ack(intr);
    return 0;
}

static int64_t sys_thread_spawn(int64_t pc, int64_t arg, int64_t sp) {
    // The entry must be the caller's code and the stack its writable memory.
    if (!user_range_ok((void *)pc, 4, PROT_EXEC) || !IS_ALIGNED((uint64_t)sp, 16) ||
        !user_range_ok((void *)(sp - 16), 16, PROT_WRITE))
        return ERR_BAD_ADDR;
    int err = handle_reserve(my_handles(), 1);
    if (err < 0)
        return err;
    struct thread *t = thread_create(current->proc, (vaddr_t)pc, (uint64_t)arg, (vaddr_t)sp);
    if (!t)
        return ERR_NO_MEMORY;
    return install_new(&t->obj, RIGHTS_THREAD);
}

static int64_t sys_thread_exit(void) {
    thread_exit_current();
}

static int64_t sys_process_exit(int64_t code) {
    process_exit_current((int)code);
}

static int64_t sys_timer_create(void) {
    struct timer *t = timer_create();
    if (!t)
        return ERR_NO_MEMORY;
    return install_new(&t->obj, RIGHTS_TIMER);
}

static int64_t sys_timer_set(int64_t h, int64_t deadline_ns) {
    GET_OBJ(t, h, KOBJ_TIMER, timer, RIGHT_WRITE);
    timer_set(t, deadline_ns);
    return 0;
}

static int64_t sys_timer_now(void) {
    return (int64_t)arch_now_ns();
}

static int64_t sys_console_read(int64_t h, int64_t buf, int64_t len) {
    struct handle_entry *e;
    int err = lookup(h, KOBJ_CONSOLE, RIGHT_READ, &e);
    if (err < 0)
        return err;
    char chunk[128];
    if (len <= 0)
        return ERR_INVALID_ARG;
    size_t n = MIN(sizeof(chunk), (size_t)len);
    if (!user_range_ok((void *)buf, n, PROT_WRITE))
        return ERR_BAD_ADDR;
    n = console_read(chunk, n);
    if (n == 0)
        return ERR_EMPTY;
    if (copy_to_user((void *)buf, chunk, n) < 0)
        panic("console_read: checked output range failed");
    return (int64_t)n;
}

static int64_t sysinfo_threads(struct sysinfo_thread *out, size_t max) {
    size_t n = 0;
    LIST_FOR_EACH (proc, &all_processes, struct process, all_node) {
        LIST_FOR_EACH (t, &proc->threads, struct thread, proc_node) {
            if (n >= max)
                return ERR_TOO_SMALL;
            struct sysinfo_thread rec = {.pid = proc->pid, .tid = t->tid, .mode = proc->mode,
                                         .cpu_ns = arch_ticks_to_ns(t->cpu_ticks)};
            rec.state = t->state == THREAD_RUNNABLE  ? THREAD_STATE_RUNNABLE
                        : t->state == THREAD_BLOCKED ? THREAD_STATE_BLOCKED
                                                     : THREAD_STATE_EXITED;
            strlcpy(rec.process, proc->name, sizeof(rec.process));
            if (copy_to_user(&out[n], &rec, sizeof(rec)) < 0)
                return ERR_BAD_ADDR;
            n++;
        }
    }
    return (int64_t)(n * sizeof(struct sysinfo_thread));
}

static int64_t sys_sysinfo(int64_t kind, int64_t buf, int64_t len) {
    if (len < 0)
        return ERR_INVALID_ARG;
    if (!user_range_ok((void *)buf, (size_t)len, PROT_WRITE))
        return ERR_BAD_ADDR;
    switch (kind) {
    case SYSINFO_MEM: {
        struct sysinfo_mem m = {page_total_count(), page_free_count(), PAGE_SIZE,
                                kmalloc_bytes_used()};
        if ((size_t)len < sizeof(m))
            return ERR_TOO_SMALL;
        return copy_to_user((void *)buf, &m, sizeof(m)) < 0 ? ERR_BAD_ADDR : (int64_t)sizeof(m);
    }
    case SYSINFO_CPU: {
        struct sysinfo_cpu c = {arch_now_ns(), sched_idle_ns(), machine_cpus, 1};
        if ((size_t)len < sizeof(c))
            return ERR_TOO_SMALL;
        return copy_to_user((void *)buf, &c, sizeof(c)) < 0 ? ERR_BAD_ADDR : (int64_t)sizeof(c);
    }
    case SYSINFO_IPC: {
        uint64_t handoffs = ipc_handoffs; // of exited threads; live ones count their own
        LIST_FOR_EACH (p, &all_processes, struct process, all_node)
            LIST_FOR_EACH (t, &p->threads, struct thread, proc_node)
                handoffs += t->ipc_handoffs;
        uint64_t handed = handoffs - ipc_handoffs_requeued;
        struct sysinfo_ipc s = {ipc_messages_sent + handed, ipc_messages_received + handed,
                                syscall_count + handoffs, handed};
        if ((size_t)len < sizeof(s))
            return ERR_TOO_SMALL;
        return copy_to_user((void *)buf, &s, sizeof(s)) < 0 ? ERR_BAD_ADDR : (int64_t)sizeof(s);
    }
    case SYSINFO_INSTANCES: {
        struct sysinfo_instance recs[32]; // init plans at most 32 instances
        size_t max = MIN(ARRAY_SIZE(recs), (size_t)len / sizeof(recs[0]));
        size_t n = init_instances_info(recs, max);
        if (n > max)
            return ERR_TOO_SMALL;
        return copy_to_user((void *)buf, recs, n * sizeof(recs[0])) < 0 ? ERR_BAD_ADDR
                                                                         : (int64_t)(n * sizeof(recs[0]));
    }
    case SYSINFO_THREADS:
        return sysinfo_threads((struct sysinfo_thread *)buf, (size_t)len / sizeof(struct sysinfo_thread));
    default:
        return ERR_INVALID_ARG;
    }
}

// Every syscall but the fast path of SYS_CHANNEL_CALL (channel_call_fast):
// the in-kernel gate (trap.S) and syscall_dispatch call it with the
// arguments where they arrived, in the gate's order (the number last).
int64_t syscall_run(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t number) {
    int64_t ret;
    syscall_count++;
    // A number the kernel does not have costs nothing more than this check.
    if ((uint64_t)number - 1 >= SYS_MAX)
        return ERR_BAD_SYSCALL;
    // A spare message buffer lives only from one IPC syscall to the next:
    // then a thread that goes on to anything else holds no memory for it.
    if (current->ipc_spare && number != SYS_CHANNEL_SEND && number != SYS_CHANNEL_CALL &&
        number != SYS_CHANNEL_RECV)
        message_drop_spare();
    switch (number) {
    case SYS_LOG_WRITE: ret = sys_log_write(a0, a1); break;
    case SYS_LOG_READ: ret = sys_log_read(a0, a1, a2); break;
    case SYS_HANDLE_CLOSE: ret = sys_handle_close(a0); break;
    case SYS_HANDLE_DUP: ret = sys_handle_dup(a0, a1); break;
    case SYS_CHANNEL_CREATE: ret = sys_channel_create(a0); break;
    case SYS_CHANNEL_SEND: ret = sys_channel_send(a0, a1, a2, a3); break;
    case SYS_CHANNEL_RECV: ret = sys_channel_recv(a0, a1, a2, a3); break;
    case SYS_CHANNEL_CALL: ret = sys_channel_call(a0, a1, a2, a3, a4); break;
    case SYS_POLL_CREATE: ret = sys_poll_create(); break;
    case SYS_POLL_ADD: ret = sys_poll_add(a0, a1, a2, a3); break;
    case SYS_POLL_UPDATE: ret = sys_poll_update(a0, a1, a2); break;
    case SYS_POLL_REMOVE: ret = sys_poll_remove(a0, a1); break;
    case SYS_POLL_WAIT: ret = sys_poll_wait(a0, a1, a2, a3); break;
    case SYS_FOLIO_ALLOC: ret = sys_folio_alloc(a0); break;
    case SYS_FOLIO_PADDR: ret = sys_folio_paddr(a0); break;
    case SYS_VMSPACE_MAP: ret = sys_vmspace_map(a0, a1, a2); break;
    case SYS_VMSPACE_UNMAP: ret = sys_vmspace_unmap(a0, a1); break;
    case SYS_INTERRUPT_CREATE: ret = sys_interrupt_create(a0); break;
    case SYS_INTERRUPT_ACK: ret = sys_interrupt_ack(a0); break;
    case SYS_THREAD_SPAWN: ret = sys_thread_spawn(a0, a1, a2); break;
    case SYS_THREAD_EXIT: ret = sys_thread_exit(); break;
    case SYS_PROCESS_EXIT: ret = sys_process_exit(a0); break;
    case SYS_TIMER_CREATE: ret = sys_timer_create(); break;
    case SYS_TIMER_SET: ret = sys_timer_set(a0, a1); break;
    case SYS_TIMER_NOW: ret = sys_timer_now(); break;
    case SYS_CONSOLE_READ: ret = sys_console_read(a0, a1, a2); break;
    case SYS_SYSINFO: ret = sys_sysinfo(a0, a1, a2); break;
    default: panic("syscall %ld passed the range check but has no handler", (long)number);
    }
    // Its process is exiting: leave now that nothing is held.
    if (current->killed)
        thread_exit_current();
    return ret;
}

// The trap paths' entry (arch.h).
int64_t syscall_dispatch(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4,
                         int64_t number) {
    if (number == SYS_CHANNEL_CALL)
        return channel_call_fast(a0, a1, a2, a3, a4);
    return syscall_run(a0, a1, a2, a3, a4, number);
}

void fault_handle(bool from_user, vaddr_t pc, vaddr_t addr, const char *desc) {
    if (!from_user)
        panic("%s in kernel mode at pc=%p addr=%p (thread %u of %s)", desc, (void *)pc,
              (void *)addr, current->tid, current->proc->name);
    kprintf("%s: killed: %s at pc=%p addr=%p\n", current->proc->name, desc, (void *)pc, (void *)addr);
    process_exit_current(-1);
}
