// SPDX-License-Identifier: MIT
// Raw syscall wrappers: one C function per syscall of abi/syscall.h, same arguments and result.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <abi/error.h>
#include <abi/handle.h>
#include <abi/message.h>
#include <abi/poll.h>
#include <abi/startinfo.h>
#include <abi/syscall.h>
#include <abi/sysinfo.h>
#include <abi/vm.h>

// Every wrapper returns what the kernel returns: a non-negative result or a
// negative ERR_* code. None of them allocates; pointers stay owned by the caller.
// They go through the gate chosen at startup (see sys_set_gate), so one binary
// works in-kernel (a function call) and in user mode (a trap).

// Chooses how syscalls enter the kernel: `gate` (a function, in-kernel apps)
// or the trap instruction when `gate` is NULL. Called by _start before main.
void sys_set_gate(sys_gate_fn gate);

// Enters the kernel through the gate with the arguments in the gate's order
// (sys_gate_fn: the number last), which every wrapper below reaches without
// moving its arguments.
int64_t sys_enter(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4, int64_t number);
// The generic entry: syscall `number` with its (at most five) arguments.
static inline int64_t sys_call(int64_t number, int64_t a0, int64_t a1, int64_t a2, int64_t a3,
                               int64_t a4) {
    return sys_enter(a0, a1, a2, a3, a4, number);
}

// Writes `len` bytes to the kernel log (and the console). Returns 0.
int64_t sys_log_write(const char *buf, size_t len);
// Copies up to `len` bytes of the kernel log ring starting at `offset` into
// `buf`. Returns the number of bytes copied (0 at the end).
int64_t sys_log_read(char *buf, size_t len, uint64_t offset);
// Closes a handle. Returns 0 or ERR_BAD_HANDLE.
int64_t sys_handle_close(handle_t h);
// Duplicates `h` with `rights` (a subset of its own; needs RIGHT_DUP). Returns the new handle.
int64_t sys_handle_dup(handle_t h, uint32_t rights);
// Creates a channel pair; out[0] and out[1] receive the two ends. Returns 0.
int64_t sys_channel_create(handle_t out[2]);
// Sends a message: `info` = MSGINFO(kind, len, nhandles), `data` its bytes,
// `handles` the handles to move (the caller loses them on success only).
int64_t sys_channel_send(handle_t ch, msginfo_t info, const void *data, const handle_t *handles);
// Receives the next message into `buf` (ERR_TOO_SMALL if it does not fit:
// the message stays queued) and its handles into `handles` (MSG_MAX_HANDLES
// slots). Returns the msginfo, ERR_EMPTY or ERR_CLOSED.
int64_t sys_channel_recv(handle_t ch, void *buf, size_t buf_len, handle_t *handles);
// Sends like sys_channel_send (data taken from `buf`), then blocks for the
// next message on `ch` and receives it into `buf` and `handles`. Returns the
// reply msginfo. An error of the receive (ERR_TOO_SMALL, or ERR_BAD_ADDR for
// a reply `buf` cannot take) comes after the send: the request has gone, and
// the reply stays queued for sys_channel_recv.
int64_t sys_channel_call(handle_t ch, msginfo_t info, void *buf, size_t buf_len,
                         handle_t *handles);
// Creates a poll object. Returns its handle.
int64_t sys_poll_create(void);
// Watches `h` for `interests` (POLL_*); events carry `cookie`. Returns 0.
int64_t sys_poll_add(handle_t poll, handle_t h, uint32_t interests, uint64_t cookie);
// Changes the interests of a watched handle. Returns 0 or ERR_NOT_FOUND.
int64_t sys_poll_update(handle_t poll, handle_t h, uint32_t interests);
// Stops watching `h`. Returns 0 or ERR_NOT_FOUND.
int64_t sys_poll_remove(handle_t poll, handle_t h);
// Waits until a watched handle is ready or `timeout_ns` passed (POLL_WAIT_FOREVER:
// never). Fills up to `max` events. Returns their number or ERR_TIMED_OUT.
int64_t sys_poll_wait(handle_t poll, struct poll_event *evs, size_t max, int64_t timeout_ns);
// Allocates physically contiguous memory of `size` bytes (rounded up to pages). Returns a folio handle.
int64_t sys_folio_alloc(size_t size);
// Returns the physical address of a folio (needs RIGHT_MAP).
int64_t sys_folio_paddr(handle_t folio);
// Maps a folio into a vmspace with PROT_* `prot`. Returns the virtual address.
int64_t sys_vmspace_map(handle_t vmspace, handle_t folio, uint32_t prot);
// Unmaps the mapping that starts at `vaddr`. Returns 0.
int64_t sys_vmspace_unmap(handle_t vmspace, uintptr_t vaddr);
// Takes device interrupt `irq`. Returns an interrupt handle (readable when it fires).
int64_t sys_interrupt_create(uint32_t irq);
// Acknowledges a delivered interrupt so that it can fire again. Returns 0.
int64_t sys_interrupt_ack(handle_t irq);
// Starts a thread in this process at `pc` with `arg` in the first argument
// register and `stack_top` as its stack. Returns a thread handle.
int64_t sys_thread_spawn(uintptr_t pc, uint64_t arg, uintptr_t stack_top);
// Ends the calling thread.
__attribute__((noreturn)) void sys_thread_exit(void);
// Ends the process (every thread) with exit status `code`.
__attribute__((noreturn)) void sys_process_exit(int code);
// Creates a disarmed one-shot timer. Returns its handle.
int64_t sys_timer_create(void);
// Arms `timer` to become readable at the absolute time `deadline_ns` (see
// sys_timer_now); a negative deadline disarms it. Returns 0.
int64_t sys_timer_set(handle_t timer, int64_t deadline_ns);
// Returns the monotonic time in nanoseconds since boot.
int64_t sys_timer_now(void);
// Reads bytes typed on the console into `buf`. Returns their number or ERR_EMPTY.
int64_t sys_console_read(handle_t console, char *buf, size_t len);
// Fills `buf` with the SYSINFO_* record(s) of `kind`. Returns the bytes written.
int64_t sys_sysinfo(uint32_t kind, void *buf, size_t len);
