// SPDX-License-Identifier: MIT
// What the loader hands an app's entry point: how to enter the kernel, and its environment.
#pragma once
#include <stdint.h>
#include "handle.h"

#define START_INFO_MAGIC 0x5354454c4c494e41ull // "STELLINA"
#define ISOLATION_IN_KERNEL 0
#define ISOLATION_USER      1

#define START_ENV_MAX    16
#define START_NAME_MAX   24
#define START_CONFIG_MAX 1024

// The syscall gate: in-kernel apps get the kernel's dispatch function; user
// apps get 0 and use the trap instruction instead. One binary, any mode.
// The number comes last, after the (at most five) arguments: a wrapper such
// as sys_channel_call(ch, info, buf, len, handles) then reaches the gate with
// its arguments in the registers they arrived in, plus one for the number.
typedef int64_t (*sys_gate_fn)(int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4,
                               int64_t number);

// One named handle of the environment, e.g. {"echo", channel to the echo server}.
struct start_env_handle {
    char name[START_NAME_MAX];
    handle_t handle;
    uint32_t reserved;
};

// Placed by the loader in the app's own memory; its address is the first
// argument of the app's entry point.
struct start_info {
    uint64_t magic;                 // START_INFO_MAGIC
    sys_gate_fn gate;               // 0 in user mode
    uint32_t mode;                  // ISOLATION_*
    uint32_t num_env;               // entries used in env[]
    handle_t vmspace;               // the app's own address space
    handle_t console;               // console input, or 0 if the app has none
    char name[START_NAME_MAX];      // instance name
    struct start_env_handle env[START_ENV_MAX];
    uint32_t config_len;            // bytes used in config[]
    uint8_t config[START_CONFIG_MAX]; // typed configuration, encoded by init (see docs/specs.md)
};
