// SPDX-License-Identifier: MIT
// The syscall wrappers: each passes its arguments through the gate chosen at startup.
#include <stellina/syscall.h>

// Implemented per arch (arch/<arch>/gate.S): the trap instruction, for user
// mode. Same arguments as the gate (sys_gate_fn), so that either path is a
// tail jump.
int64_t sys_trap(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t number);

// NULL until _start sets it; NULL also means "trap" (user mode).
static sys_gate_fn sys_gate;

void sys_set_gate(sys_gate_fn gate) {
    sys_gate = gate;
}

int64_t sys_enter(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t number) {
    // Inlined into the wrappers below (apps' own sys_call calls it): each
    // passes its arguments in the registers they arrived in, sets the
    // number, loads the gate and jumps (the in-kernel null syscall's budget
    // is ~30 instructions).
    sys_gate_fn gate = sys_gate;
    if (gate)
        return gate(a0, a1, a2, a3, a4, number);
    return sys_trap(a0, a1, a2, a3, a4, number);
}

#define I(x) ((int64_t)(x))
#define P(x) ((int64_t)(uintptr_t)(x))

int64_t sys_log_write(const char *buf, size_t len) {
    return sys_call(SYS_LOG_WRITE, P(buf), I(len), 0, 0, 0);
}

int64_t sys_log_read(char *buf, size_t len, uint64_t offset) {
    return sys_call(SYS_LOG_READ, P(buf), I(len), I(offset), 0, 0);
}

int64_t sys_handle_close(handle_t h) {
    return sys_call(SYS_HANDLE_CLOSE, I(h), 0, 0, 0, 0);
}

int64_t sys_handle_dup(handle_t h, uint32_t rights) {
    return sys_call(SYS_HANDLE_DUP, I(h), I(rights), 0, 0, 0);
}

int64_t sys_channel_create(handle_t out[2]) {
    return sys_call(SYS_CHANNEL_CREATE, P(out), 0, 0, 0, 0);
}

int64_t sys_channel_send(handle_t ch, msginfo_t info, const void *data, const handle_t *handles) {
    return sys_call(SYS_CHANNEL_SEND, I(ch), I(info), P(data), P(handles), 0);
}

int64_t sys_channel_recv(handle_t ch, void *buf, size_t buf_len, handle_t *handles) {
    return sys_call(SYS_CHANNEL_RECV, I(ch), P(buf), I(buf_len), P(handles), 0);
}

int64_t sys_channel_call(handle_t ch, msginfo_t info, void *buf, size_t buf_len,
                         handle_t *handles) {
    return sys_call(SYS_CHANNEL_CALL, I(ch), I(info), P(buf), I(buf_len), P(handles));
}

int64_t sys_poll_create(void) {
    return sys_call(SYS_POLL_CREATE, 0, 0, 0, 0, 0);
}

int64_t sys_poll_add(handle_t poll, handle_t h, uint32_t interests, uint64_t cookie) {
    return sys_call(SYS_POLL_ADD, I(poll), I(h), I(interests), I(cookie), 0);
}

int64_t sys_poll_update(handle_t poll, handle_t h, uint32_t interests) {
    return sys_call(SYS_POLL_UPDATE, I(poll), I(h), I(interests), 0, 0);
}

int64_t sys_poll_remove(handle_t poll, handle_t h) {
    return sys_call(SYS_POLL_REMOVE, I(poll), I(h), 0, 0, 0);
}

int64_t sys_poll_wait(handle_t poll, struct poll_event *evs, size_t max, int64_t timeout_ns) {
    return sys_call(SYS_POLL_WAIT, I(poll), P(evs), I(max), timeout_ns, 0);
}

int64_t sys_folio_alloc(size_t size) {
    return sys_call(SYS_FOLIO_ALLOC, I(size), 0, 0, 0, 0);
}

int64_t sys_folio_paddr(handle_t folio) {
    return sys_call(SYS_FOLIO_PADDR, I(folio), 0, 0, 0, 0);
}

int64_t sys_vmspace_map(handle_t vmspace, handle_t folio, uint32_t prot) {
    return sys_call(SYS_VMSPACE_MAP, I(vmspace), I(folio), I(prot), 0, 0);
}

int64_t sys_vmspace_unmap(handle_t vmspace, uintptr_t vaddr) {
    return sys_call(SYS_VMSPACE_UNMAP, I(vmspace), I(vaddr), 0, 0, 0);
}

int64_t sys_interrupt_create(uint32_t irq) {
    return sys_call(SYS_INTERRUPT_CREATE, I(irq), 0, 0, 0, 0);
}

int64_t sys_interrupt_ack(handle_t irq) {
    return sys_call(SYS_INTERRUPT_ACK, I(irq), 0, 0, 0, 0);
}

int64_t sys_thread_spawn(uintptr_t pc, uint64_t arg, uintptr_t stack_top) {
    return sys_call(SYS_THREAD_SPAWN, I(pc), I(arg), I(stack_top), 0, 0);
}

void sys_thread_exit(void) {
    sys_call(SYS_THREAD_EXIT, 0, 0, 0, 0, 0);
    // The kernel never returns here; spin rather than run off the end if it did.
    for (;;)
        ;
}

void sys_process_exit(int code) {
    sys_call(SYS_PROCESS_EXIT, I(code), 0, 0, 0, 0);
    for (;;)
        ;
}

int64_t sys_timer_create(void) {
    return sys_call(SYS_TIMER_CREATE, 0, 0, 0, 0, 0);
}

int64_t sys_timer_set(handle_t timer, int64_t deadline_ns) {
    return sys_call(SYS_TIMER_SET, I(timer), deadline_ns, 0, 0, 0);
}

int64_t sys_timer_now(void) {
    return sys_call(SYS_TIMER_NOW, 0, 0, 0, 0, 0);
}

int64_t sys_console_read(handle_t console, char *buf, size_t len) {
    return sys_call(SYS_CONSOLE_READ, I(console), P(buf), I(len), 0, 0);
}

int64_t sys_sysinfo(uint32_t kind, void *buf, size_t len) {
    return sys_call(SYS_SYSINFO, I(kind), P(buf), I(len), 0, 0);
}
