// SPDX-License-Identifier: MIT
// Records returned by the sysinfo syscall (for ps, mem, uptime and status pages).
#pragma once
#include <stdint.h>

#define SYSINFO_MEM     1 // one struct sysinfo_mem
#define SYSINFO_THREADS 2 // an array of struct sysinfo_thread, one per live thread
#define SYSINFO_IPC     3 // one struct sysinfo_ipc
#define SYSINFO_INSTANCES 4 // an array of struct sysinfo_instance, one per instance of the system spec
#define SYSINFO_CPU     5 // one struct sysinfo_cpu

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
    // Messages channel_call handed straight to a thread waiting in channel_call
    // (counted in messages_sent and messages_received too); one the waiting
    // thread could not take, and queued, counts as queued instead.
    uint64_t handoffs;
};

struct sysinfo_cpu {
    uint64_t uptime_ns;     // since the machine's reset (sys_timer_now)
    uint64_t idle_ns;       // of which the CPU spent idle, waiting for an interrupt
    uint32_t cpus;          // CPUs the machine has
    uint32_t cpus_running;  // CPUs the kernel runs on (1: it does not start the others yet)
};

#define INSTANCE_STATE_RUNNING    0
#define INSTANCE_STATE_RESTARTING 1 // exited; init restarts it after a backoff
#define INSTANCE_STATE_STOPPED    2 // exited for good (its restart policy says so)

struct sysinfo_instance {
    char name[24];       // instance name, NUL-terminated
    char app[24];        // app name, NUL-terminated
    uint32_t mode;       // ISOLATION_*
    uint32_t state;      // INSTANCE_STATE_*
    uint32_t restarts;   // how often init restarted it
    uint32_t pid;        // of the running process (0 when not running)
    int32_t last_exit;   // exit code of the previous run (0 if none)
    uint32_t reserved;
};
