// SPDX-License-Identifier: MIT
// Records returned by the sysinfo syscall (for ps, mem, uptime and status pages).
#pragma once
#include <stdint.h>

#define SYSINFO_MEM     1 // one struct sysinfo_mem
#define SYSINFO_THREADS 2 // an array of struct sysinfo_thread, one per live thread
#define SYSINFO_IPC     3 // one struct sysinfo_ipc

struct sysinfo_mem {
    uint64_t total_pages;
    uint64_t free_pages;
    uint64_t page_size;
    uint64_t heap_bytes_used;  // kernel heap bytes in use
};

#define THREAD_STATE_RUNNABLE 0
#define THREAD_STATE_BLOCKED  1
#define THREAD_STATE_EXITED   2

struct sysinfo_thread {
    uint32_t pid;
    uint32_t tid;
    uint32_t state;      // THREAD_STATE_*
    uint32_t mode;       // ISOLATION_* of its process
    char process[24];    // the process's name, NUL-terminated
    uint64_t cpu_ns;     // time spent running
};

struct sysinfo_ipc {
    uint64_t messages_sent;
    uint64_t messages_received;
    uint64_t syscalls;
};
