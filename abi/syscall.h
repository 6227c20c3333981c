// SPDX-License-Identifier: MIT
// Syscall numbers and their arguments: the one list both the kernel and libstellina use.
#pragma once

// Every syscall takes up to five integer arguments and returns an int64: a
// non-negative result or a negative ERR_* code. Numbers are written out and
// never reused; append new ones at the end.
//
//  number                  arguments                                   returns
#define SYS_LOG_WRITE       1  // (const char *buf, size_t len)         0
#define SYS_LOG_READ        2  // (char *buf, size_t len, u64 offset)   bytes copied from the kernel log at offset
#define SYS_HANDLE_CLOSE    3  // (handle)                              0
#define SYS_HANDLE_DUP      4  // (handle, rights)                      new handle with rights (a subset)
#define SYS_CHANNEL_CREATE  5  // (handle_t out[2])                     0; out[0] and out[1] are the two ends
#define SYS_CHANNEL_SEND    6  // (ch, msginfo, const void *data, const handle_t *handles)   0
#define SYS_CHANNEL_RECV    7  // (ch, void *buf, size_t buf_len, handle_t handles[MSG_MAX_HANDLES])  msginfo
#define SYS_CHANNEL_CALL    8  // (ch, msginfo, void *buf, size_t buf_len, handle_t handles[MSG_MAX_HANDLES])  reply msginfo
#define SYS_POLL_CREATE     9  // ()                                    poll handle
#define SYS_POLL_ADD        10 // (poll, handle, interests, u64 cookie)  0
#define SYS_POLL_UPDATE     11 // (poll, handle, interests)             0
#define SYS_POLL_REMOVE     12 // (poll, handle)                        0
#define SYS_POLL_WAIT       13 // (poll, struct poll_event *evs, size_t max, i64 timeout_ns)  number of events
#define SYS_FOLIO_ALLOC     14 // (size_t size)                         folio handle (size rounded up to pages)
#define SYS_FOLIO_PADDR     15 // (folio)                               physical address
#define SYS_VMSPACE_MAP     16 // (vmspace, folio, prot)                virtual address of the mapping
#define SYS_VMSPACE_UNMAP   17 // (vmspace, vaddr)                      0
#define SYS_INTERRUPT_CREATE 18 // (irq)                                interrupt handle
#define SYS_INTERRUPT_ACK   19 // (interrupt)                           0
#define SYS_THREAD_SPAWN    20 // (entry pc, arg, stack_top)            thread handle
#define SYS_THREAD_EXIT     21 // ()                                    does not return
#define SYS_PROCESS_EXIT    22 // (int code)                            does not return
#define SYS_TIMER_CREATE    23 // ()                                    timer handle
#define SYS_TIMER_SET       24 // (timer, i64 deadline_ns)              0; deadline < 0 disarms
#define SYS_TIMER_NOW       25 // ()                                    monotonic nanoseconds since boot
#define SYS_CONSOLE_READ    26 // (console, char *buf, size_t len)      bytes typed on the console (ERR_EMPTY if none)
#define SYS_SYSINFO         27 // (kind, void *buf, size_t len)         bytes written (see abi/sysinfo.h)
#define SYS_MAX             27
